// CORS for browser clients that send credentials (protocol §1.3): the exact
// Origin is echoed only for this server's own origin and the configured ones —
// never for an arbitrary site, which could otherwise call the API with the
// user's credentials.
import type { IncomingMessage, ServerResponse } from 'node:http';

const BASE_HEADERS = [
  'content-type',
  'accept',
  'ftrack-user',
  'ftrack-api-key',
  'ftrack-clienttoken',
  'ftrack-pushtoken',
  'ftrack-strict-api',
  'ftrack-api-options',
  'content-disposition',
  'content-md5',
];

export const FAULT_HEADER = 'x-ftrack-local-fault';

export interface CorsOptions {
  /** Origins besides the server's own, e.g. `http://localhost:5173`. */
  origins: readonly string[];
  /** Allow the fault-injection header (only when faults are enabled). */
  faultHeader: boolean;
}

export class Cors {
  private readonly origins: ReadonlySet<string>;
  private readonly allowedHeaders: string;

  constructor(options: CorsOptions) {
    this.origins = new Set(options.origins.map(normalizeOrigin));
    this.allowedHeaders = [...BASE_HEADERS, ...(options.faultHeader ? [FAULT_HEADER] : [])].join(', ');
  }

  allows(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin) return false;
    const own = req.headers.host ? `http://${req.headers.host}` : undefined;
    return normalizeOrigin(origin) === own || this.origins.has(normalizeOrigin(origin));
  }

  apply(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('Vary', 'Origin');
    if (!this.allows(req)) return;
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin!);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Allow-Headers', this.allowedHeaders);
    res.setHeader('Access-Control-Allow-Methods', 'POST, GET, PUT, OPTIONS');
    res.setHeader('Access-Control-Expose-Headers', 'ETag, Content-Disposition, Content-Length, Content-Range');
  }

  answerPreflight(req: IncomingMessage, res: ServerResponse): void {
    this.apply(req, res);
    if (this.allows(req)) res.setHeader('Access-Control-Max-Age', '600');
    res.writeHead(204);
    res.end();
  }
}

function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}
