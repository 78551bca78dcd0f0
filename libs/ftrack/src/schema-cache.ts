import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** query_schemas results on disk, one file per schema_hash (the hash changes when the schema does). */
export class SchemaCache {
  constructor(private readonly dir: string) {}

  private fileFor(schemaHash: string): string {
    return join(this.dir, `ftrack-schemas-${schemaHash.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);
  }

  async read(schemaHash: string): Promise<unknown[] | undefined> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.fileFor(schemaHash), 'utf8'));
      return Array.isArray(parsed) && parsed.length > 0 ? parsed : undefined;
    } catch {
      return undefined; // missing or corrupt: fetch again
    }
  }

  /** Atomic (temp then rename), so concurrent publishes never read half a file. */
  async write(schemaHash: string, schemas: unknown[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = this.fileFor(schemaHash);
    const temp = `${target}.${randomUUID().slice(0, 8)}.partial`;
    await writeFile(temp, JSON.stringify(schemas));
    await rename(temp, target);
  }
}
