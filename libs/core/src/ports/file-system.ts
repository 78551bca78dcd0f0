/** The few file operations use cases need (commit temp outputs, clean up). */
export interface FileSystem {
  rename(from: string, to: string): Promise<void>;
  /** Remove a file; missing is fine. */
  remove(path: string): Promise<void>;
  size(path: string): Promise<number>;
  exists(path: string): Promise<boolean>;
  /** Create the directory (recursively) and prove it is writable; E_OUTPUT_UNWRITABLE otherwise. */
  ensureWritableDir(path: string): Promise<void>;
  tempDir(prefix: string): Promise<string>;
  removeDir(path: string): Promise<void>;
}
