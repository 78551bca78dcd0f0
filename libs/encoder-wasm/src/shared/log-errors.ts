/**
 * ffmpeg.wasm logs at debug level whatever -loglevel says, and everything arrives as
 * "stdout". Pick the lines that explain a failure out of that noise.
 */
const ERROR_LINE = /error|invalid|unknown|no such|failed|not found|cannot|could not|unable|unrecognized|not supported|out of memory|abort/i;
const NOISE = /^(Statistics:|Aborted\(\)|\[.*\] (Statistics|Qavg)|Input #|Output #)/;

export function failureSummary(log: readonly string[], max = 4): string {
  const lines = log.map((l) => l.trim()).filter((l) => l && ERROR_LINE.test(l) && !NOISE.test(l));
  const unique = [...new Set(lines)].slice(-max);
  return unique.length > 0
    ? unique.join(' | ')
    : log
        .filter((l) => l.trim())
        .slice(-2)
        .join(' | ') || 'no output';
}
