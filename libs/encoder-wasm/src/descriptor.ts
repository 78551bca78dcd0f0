// ffmpeg.wasm as a plug-in: always available, so `auto` falls back to it.
import type { EncoderDescriptor } from '@ftrack-encode/core';

export const wasmEncoder: EncoderDescriptor = {
  kind: 'encoder',
  id: 'wasm',
  summary: 'ffmpeg.wasm in a worker thread: works with no ffmpeg installed (VP8 instead of VP9)',
  capabilities: { local: true, needsFtrack: false },
  async available() {
    return { ok: true, reason: 'using ffmpeg.wasm' };
  },
  async register({ container, shared }) {
    const { registerWasmEncoder } = await import('./register-wasm-encoder.js');
    // Probes with the wasm core too, so it works where no ffmpeg is installed.
    const encoder = registerWasmEncoder(container, { threads: shared.threads || 1, probe: true });
    return () => encoder.dispose();
  },
};
