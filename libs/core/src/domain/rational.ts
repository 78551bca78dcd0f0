/** Exact frame rates: 24000/1001 stays 24000/1001, never 23.976. */
export interface Rational {
  num: number;
  den: number;
}

function gcd(a: number, b: number): number {
  return b === 0 ? Math.abs(a) : gcd(b, a % b);
}

export function rational(num: number, den = 1): Rational {
  if (!Number.isFinite(num) || !Number.isFinite(den) || den === 0) throw new RangeError(`Invalid rational ${num}/${den}`);
  const d = gcd(num, den) || 1;
  const sign = den < 0 ? -1 : 1;
  return { num: (sign * num) / d, den: (sign * den) / d };
}

/** Parses "24000/1001", "25", "23.976" (snapped to the NTSC rate it means). */
export function parseRational(text: string): Rational {
  const trimmed = text.trim();
  const match = /^(-?\d+)\s*[/:]\s*(-?\d+)$/.exec(trimmed);
  if (match) return rational(Number(match[1]), Number(match[2]));
  const value = Number(trimmed);
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`Invalid frame rate "${text}"`);
  return fromDecimal(value);
}

const NTSC = [23.976, 29.97, 47.952, 59.94, 119.88];

export function fromDecimal(value: number): Rational {
  for (const ntsc of NTSC) {
    if (Math.abs(value - ntsc) < 0.0015) return rational(Math.round(ntsc * 1.001) * 1000, 1001);
  }
  if (Number.isInteger(value)) return rational(value, 1);
  const den = 1000;
  return rational(Math.round(value * den), den);
}

export function toNumber(r: Rational): number {
  return r.num / r.den;
}

export function formatRational(r: Rational): string {
  return r.den === 1 ? `${r.num}` : `${r.num}/${r.den}`;
}

export function rationalEquals(a: Rational, b: Rational): boolean {
  return a.num * b.den === b.num * a.den;
}
