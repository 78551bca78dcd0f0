/** One line of `ftrack-encode doctor`: what was checked, how it went, what to do about it. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface HealthCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

export const check = {
  ok: (name: string, detail: string): HealthCheck => ({ name, status: 'ok', detail }),
  warn: (name: string, detail: string, hint?: string): HealthCheck => ({ name, status: 'warn', detail, ...(hint ? { hint } : {}) }),
  fail: (name: string, detail: string, hint?: string): HealthCheck => ({ name, status: 'fail', detail, ...(hint ? { hint } : {}) }),
};
