import { access, constants, mkdir, mkdtemp, rename, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { injectable } from 'tsyringe';
import { EncodeError, type FileSystem } from '@ftrack-encode/core';

@injectable()
export class NodeFileSystem implements FileSystem {
  async rename(from: string, to: string): Promise<void> {
    await rename(from, to);
  }

  async remove(path: string): Promise<void> {
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  async size(path: string): Promise<number> {
    return (await stat(path)).size;
  }

  async exists(path: string): Promise<boolean> {
    return stat(path).then(
      () => true,
      () => false,
    );
  }

  async ensureWritableDir(path: string): Promise<void> {
    try {
      await mkdir(path, { recursive: true });
      await access(path, constants.W_OK);
      const info = await stat(path);
      if (!info.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      throw new EncodeError('E_OUTPUT_UNWRITABLE', `Cannot write to output directory ${path} (${code}).`, {
        hint: 'Choose another --out directory or fix its permissions.',
        details: { path, code },
        cause: error,
      });
    }
  }

  async tempDir(prefix: string): Promise<string> {
    return mkdtemp(join(tmpdir(), `${prefix}-`));
  }

  async removeDir(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
  }
}
