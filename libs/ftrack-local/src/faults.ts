// Fault injection for tests: small, explicit, and settable at run time.
//
// Per request, header `x-ftrack-local-fault` takes `;`-separated items:
//   fail=<status>        answer this API call with that status and a ServerError body
//   latency=<ms>         delay this request
//   drop-after=<bytes>   destroy the socket of this upload after that many body bytes
//   throttle=<bytes/s>   slow the storage write of this upload

export interface ApiFailureRule {
  /** Fail the Nth API call counted from when the rule was set (1 = the next call). */
  nth?: number;
  /** Fail the next API call whose batch contains this action. */
  action?: string;
  /** Fail the next API call whose batch touches this entity type (create/update/delete). */
  entityType?: string;
  /** HTTP status of the injected failure (default 500). */
  status?: number;
  /** How many calls to fail before the rule disarms itself (default 1). */
  times?: number;
}

export interface FaultConfig {
  /** Extra latency added to every API call. */
  apiLatencyMs?: number;
  failApiCall?: ApiFailureRule;
  /** Destroy the connection of the next upload PUT after this many body bytes. */
  dropUploadAfterBytes?: number;
  /** Throttle storage writes to this many bytes per second. */
  storageBytesPerSecond?: number;
}

export interface FaultController {
  set(faults: FaultConfig): void;
  clear(): void;
  current(): Readonly<FaultConfig>;
}

export interface BatchShape {
  actions: string[];
  entityTypes: string[];
}

export interface RequestFaults {
  failStatus?: number;
  latencyMs?: number;
  dropAfterBytes?: number;
  bytesPerSecond?: number;
}

export class Faults implements FaultController {
  private config: FaultConfig = {};
  private apiCalls = 0;
  private failuresLeft = 0;

  constructor(initial?: FaultConfig) {
    if (initial) this.set(initial);
  }

  set(faults: FaultConfig): void {
    this.config = { ...this.config, ...faults };
    if (faults.failApiCall) {
      this.apiCalls = 0;
      this.failuresLeft = faults.failApiCall.times ?? 1;
    }
  }

  clear(): void {
    this.config = {};
    this.apiCalls = 0;
    this.failuresLeft = 0;
  }

  current(): Readonly<FaultConfig> {
    return this.config;
  }

  apiLatencyMs(): number {
    return this.config.apiLatencyMs ?? 0;
  }

  /** Counts one API call; returns the status to fail it with, if a rule matches. */
  checkApiCall(batch: BatchShape): number | undefined {
    this.apiCalls += 1;
    const rule = this.config.failApiCall;
    if (!rule || this.failuresLeft <= 0) return undefined;
    const matches =
      (rule.nth !== undefined && this.apiCalls >= rule.nth) ||
      (rule.action !== undefined && batch.actions.includes(rule.action)) ||
      (rule.entityType !== undefined && batch.entityTypes.includes(rule.entityType));
    if (!matches) return undefined;
    this.failuresLeft -= 1;
    if (this.failuresLeft <= 0) delete this.config.failApiCall;
    return rule.status ?? 500;
  }

  /** One-shot: the next upload takes the drop fault. */
  takeUploadDrop(): number | undefined {
    const bytes = this.config.dropUploadAfterBytes;
    if (bytes === undefined) return undefined;
    delete this.config.dropUploadAfterBytes;
    return bytes;
  }

  storageBytesPerSecond(): number | undefined {
    return this.config.storageBytesPerSecond;
  }
}

export function parseFaultHeader(value: string | undefined): RequestFaults {
  const faults: RequestFaults = {};
  if (!value) return faults;
  for (const item of value.split(';')) {
    const [name, raw] = item.split('=').map((s) => s.trim());
    const n = Number(raw);
    if (!name || !Number.isFinite(n) || n < 0) continue;
    if (name === 'fail') faults.failStatus = n;
    else if (name === 'latency') faults.latencyMs = n;
    else if (name === 'drop-after') faults.dropAfterBytes = n;
    else if (name === 'throttle') faults.bytesPerSecond = n;
  }
  return faults;
}
