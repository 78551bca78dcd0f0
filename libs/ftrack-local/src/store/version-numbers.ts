// AssetVersion numbers (highest of the asset + 1) within one batch: the highest
// is read from SQLite once per asset, then counted in memory, so a batch of
// 1,000 creates does not rescan the asset's versions for each one.
import type { EntityRepo } from './entity-repo.js';

export class VersionNumbers {
  private readonly highest = new Map<string, number>();

  constructor(private readonly repo: EntityRepo) {}

  next(assetId: unknown): number {
    if (typeof assetId !== 'string') return 1;
    return this.top(assetId) + 1;
  }

  /** A version was stored for the asset (with this number). */
  saw(assetId: unknown, version: unknown): void {
    if (typeof assetId !== 'string' || typeof version !== 'number') return;
    this.highest.set(assetId, Math.max(this.top(assetId), version));
  }

  /** The asset's versions changed otherwise (update, delete): read again when next needed. */
  forget(assetId: unknown): void {
    if (typeof assetId === 'string') this.highest.delete(assetId);
  }

  private top(assetId: string): number {
    let top = this.highest.get(assetId);
    if (top === undefined) {
      top = this.repo.maxBy('AssetVersion', 'asset_id', assetId, 'version') ?? 0;
      this.highest.set(assetId, top);
    }
    return top;
  }
}
