// The native backend as a plug-in. Light on purpose: the composition imports every descriptor
// at start-up; the adapter itself (ffprobe parsing) loads when a scope registers it, and execa when
// it first runs a tool (a skipped re-publish never does).
import type { EncoderDescriptor, SharedSettings } from '@ftrack-encode/core';

const tools = (shared: SharedSettings) => ({
  ...(shared.ffmpegPath ? { ffmpegPath: shared.ffmpegPath } : {}),
  ...(shared.ffprobePath ? { ffprobePath: shared.ffprobePath } : {}),
});

export const nativeEncoder: EncoderDescriptor = {
  kind: 'encoder',
  id: 'native',
  summary: 'ffmpeg/ffprobe on this machine (FFMPEG_PATH, then PATH); hardware encoders when proven',
  capabilities: { local: true, needsFtrack: false },
  async available(shared) {
    const { findFfmpeg } = await import('./find-ffmpeg.js');
    const found = await findFfmpeg(tools(shared));
    return found ? { ok: true, reason: `native ffmpeg found at ${found.ffmpeg}` } : { ok: false, reason: 'no ffmpeg binary found (PATH, FFMPEG_PATH)' };
  },
  async diagnose({ shared, inUse }) {
    const { diagnoseNative } = await import('./diagnose.js');
    return diagnoseNative(shared, inUse);
  },
  async register({ container, shared }) {
    const { registerNativeEncoder } = await import('./register-native-encoder.js');
    registerNativeEncoder(container, { ...tools(shared), threads: shared.threads, ...(shared.hardware ? { hardware: shared.hardware } : {}) });
  },
};
