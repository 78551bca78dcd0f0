// Fault injection for tests: small, explicit, and settable at run time.
//
// Per request, header `x-ftrack-local-fault` takes `;`-separated items:
//   fail=<status>        answer this API call with that status and a ServerError body
//   latency=<ms>         delay this request
//   drop-after=<bytes>   destroy the socket of this upload after that many body bytes
//   throttle=<bytes/s>   slow the storage write of this upload
//
// Lost responses (the work is done, the answer never arrives) and per-action latency are set
// through the controller: `dropApiResponse` commits a matching batch and then destroys the
// socket; `dropUploadResponse` stores a PUT's body and then destroys the socket; `apiLatency`
// holds matching batches before they run (dropped unrun if the client goes away meanwhile).

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

/** Which API batches a rule applies to: by an action in the batch and/or an entity type it touches. */
export interface BatchMatcher {
  /** The batch contains this action (e.g. `complete_multipart_upload`). */
  action?: string;
  /** The batch creates/updates/deletes this entity type (e.g. `ComponentLocation`). */
  entityType?: string;
}

export interface ApiResponseDropRule extends BatchMatcher {
  /** How many matching batches to commit and leave unanswered before the rule disarms (default 1). */
  times?: number;
}

export interface UploadResponseDropRule {
  /** Also parts of multi-part uploads (default: single-part PUTs only). */
  parts?: boolean;
  /** How many uploads to store and leave unanswered before the rule disarms (default 1). */
  times?: number;
}

export interface ApiLatencyRule extends BatchMatcher {
  /** Hold a matching batch this long before it runs. */
  ms: number;
  /** How many matching batches to hold before the rule disarms (default: every one). */
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
  /** Commit the next matching API batch, then destroy the socket without a response. */
  dropApiResponse?: ApiResponseDropRule;
  /** Store the next upload's body completely, then destroy the socket without a response. */
  dropUploadResponse?: UploadResponseDropRule;
  /** Per-action latency: hold matching batches before they run. */
  apiLatency?: ApiLatencyRule[];
}

export interface FaultController {
  set(faults: FaultConfig): void;
  clear(): void;
  current(): Readonly<FaultConfig>;
  /** API calls being held by an `apiLatency` rule right now. */
  heldApiCalls(): number;
  /** End every hold now (clear() does too). */
  releaseHeld(): void;
  /** Faults that took effect since the server started, e.g. `drop-api-response:create`. */
  fired(): readonly string[];
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
  private responseDropsLeft = 0;
  private uploadResponseDropsLeft = 0;
  private latencyLeft = new Map<ApiLatencyRule, number>();
  private held = 0;
  private readonly releases = new Set<() => void>();
  private readonly log: string[] = [];

  constructor(initial?: FaultConfig) {
    if (initial) this.set(initial);
  }

  set(faults: FaultConfig): void {
    this.config = { ...this.config, ...faults };
    if (faults.failApiCall) {
      this.apiCalls = 0;
      this.failuresLeft = faults.failApiCall.times ?? 1;
    }
    if (faults.dropApiResponse) this.responseDropsLeft = faults.dropApiResponse.times ?? 1;
    if (faults.dropUploadResponse) this.uploadResponseDropsLeft = faults.dropUploadResponse.times ?? 1;
    if (faults.apiLatency) this.latencyLeft = new Map(faults.apiLatency.map((rule) => [rule, rule.times ?? Infinity]));
  }

  clear(): void {
    this.config = {};
    this.apiCalls = 0;
    this.failuresLeft = 0;
    this.responseDropsLeft = 0;
    this.uploadResponseDropsLeft = 0;
    this.latencyLeft.clear();
    this.releaseHeld();
  }

  current(): Readonly<FaultConfig> {
    return this.config;
  }

  heldApiCalls(): number {
    return this.held;
  }

  fired(): readonly string[] {
    return this.log;
  }

  apiLatencyMs(): number {
    return this.config.apiLatencyMs ?? 0;
  }

  /** Latency of the first armed `apiLatency` rule that matches this batch (counted as taken). */
  takeApiLatency(batch: BatchShape): number {
    for (const rule of this.config.apiLatency ?? []) {
      const left = this.latencyLeft.get(rule) ?? 0;
      if (left <= 0 || !matchesBatch(rule, batch)) continue;
      this.latencyLeft.set(rule, left - 1);
      this.log.push(`api-latency:${batch.actions.join(',')}`);
      return rule.ms;
    }
    return 0;
  }

  /** Hold a call for `ms` (counted in heldApiCalls) or until releaseHeld()/clear(), whichever comes first. */
  hold(ms: number): Promise<void> {
    this.held += 1;
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.releases.delete(done);
        this.held -= 1;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.releases.add(done);
    });
  }

  /** End every hold now: the held calls go on (or are dropped if their client left). */
  releaseHeld(): void {
    for (const release of [...this.releases]) release();
  }

  /** One-shot per `times`: commit this batch and drop its response? */
  takeApiResponseDrop(batch: BatchShape): boolean {
    const rule = this.config.dropApiResponse;
    if (!rule || this.responseDropsLeft <= 0 || !matchesBatch(rule, batch)) return false;
    this.responseDropsLeft -= 1;
    if (this.responseDropsLeft <= 0) delete this.config.dropApiResponse;
    this.log.push(`drop-api-response:${batch.actions.join(',')}`);
    return true;
  }

  /** One-shot per `times`: store this upload and drop its response? */
  takeUploadResponseDrop(upload: { part: boolean }): boolean {
    const rule = this.config.dropUploadResponse;
    if (!rule || this.uploadResponseDropsLeft <= 0 || (upload.part && !rule.parts)) return false;
    this.uploadResponseDropsLeft -= 1;
    if (this.uploadResponseDropsLeft <= 0) delete this.config.dropUploadResponse;
    this.log.push(`drop-upload-response:${upload.part ? 'part' : 'single'}`);
    return true;
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

/** A matcher with neither field matches nothing; with both, both must hold. */
export function matchesBatch(rule: BatchMatcher, batch: BatchShape): boolean {
  if (rule.action === undefined && rule.entityType === undefined) return false;
  return (rule.action === undefined || batch.actions.includes(rule.action)) && (rule.entityType === undefined || batch.entityTypes.includes(rule.entityType));
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
