// Short-lived HMAC tokens for signed URLs: each grants one operation on one
// target (an upload part, a download), carries no credentials, and expires.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/sqlite.js';
import { readMeta, writeMeta } from '../store/sqlite.js';

export interface UploadGrant {
  op: 'put' | 'get';
  componentId: string;
  uploadId?: string;
  part?: number;
  md5?: string;
}

export const TOKEN_TTL_MS = 60 * 60 * 1000;

export class SignedTokens {
  private readonly secret: Buffer;

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    let stored = readMeta(db, 'upload_token_secret');
    if (!stored) {
      stored = randomBytes(32).toString('hex');
      writeMeta(db, 'upload_token_secret', stored);
    }
    this.secret = Buffer.from(stored, 'hex');
  }

  sign(grant: UploadGrant): string {
    const expires = this.now() + TOKEN_TTL_MS;
    return `${expires}.${this.mac(grant, expires)}`;
  }

  verify(grant: UploadGrant, token: string | null): boolean {
    if (!token) return false;
    const [expiresText, mac] = token.split('.');
    const expires = Number(expiresText);
    if (!mac || !Number.isFinite(expires) || expires < this.now()) return false;
    const expected = Buffer.from(this.mac(grant, expires));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private mac(grant: UploadGrant, expires: number): string {
    const payload = [grant.op, grant.componentId, grant.uploadId ?? '', grant.part ?? '', grant.md5 ?? '', expires].join('\n');
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}
