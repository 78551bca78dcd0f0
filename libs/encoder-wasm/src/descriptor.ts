// ffmpeg.wasm as a plug-in: always available, so `auto` falls back to it.
import { check, type EncoderDescriptor } from '@ftrack-encode/core';

export const wasmEncoder: EncoderDescriptor = {
  kind: 'encoder',
  id: 'wasm',
  summary: 'ffmpeg.wasm in a worker thread: works with no ffmpeg installed (VP8 instead of VP9)',
  capabilities: { local: true, needsFtrack: false },
  async available() {
    return { ok: true, reason: 'using ffmpeg.wasm' };
  },
  async diagnose({ inUse }) {
    const { WasmCore } = await import('./node/wasm-core.js');
    const core = new WasmCore();
    try {
      const { packageVersion, ffmpeg } = await core.versions();
      return [check.ok('wasm: ffmpeg.wasm core', `@ffmpeg/core ${packageVersion} loads (${ffmpeg})`)];
    } catch (error) {
      const fail = inUse ? check.fail : check.warn;
      return [
        fail(
          'wasm: ffmpeg.wasm core',
          `does not load: ${error instanceof Error ? error.message : String(error)}`,
          'npm ci (the @ffmpeg/core package ships the core)',
        ),
      ];
    } finally {
      await core.dispose();
    }
  },
  async register({ container, shared }) {
    const { registerWasmEncoder } = await import('./register-wasm-encoder.js');
    // Probes with the wasm core too, so it works where no ffmpeg is installed.
    const encoder = registerWasmEncoder(container, { threads: shared.threads || 1, probe: true });
    return () => encoder.dispose();
  },
};
