// The per-request fault header, honoured only on a server started with fault
// injection: a production-like server must not let a client slow or break it.
import type { IncomingMessage } from 'node:http';
import { parseFaultHeader, type RequestFaults } from '../faults.js';
import { header } from './auth.js';
import { FAULT_HEADER } from './cors.js';

export function requestFaults(req: IncomingMessage, enabled: boolean): RequestFaults {
  return enabled ? parseFaultHeader(header(req, FAULT_HEADER)) : {};
}
