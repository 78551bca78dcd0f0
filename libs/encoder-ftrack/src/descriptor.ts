// ftrack's own encode_media as a plug-in: `publish --backend ftrack`.
import { TOKENS, type EncoderDescriptor } from '@ftrack-encode/core';
import { SERVER_LOCATION_NAME } from '@ftrack-encode/ftrack-protocol';

export const ftrackEncoder: EncoderDescriptor = {
  kind: 'encoder',
  id: 'ftrack',
  summary: "the ftrack server's own encode_media (one MP4 + one JPEG; profile ftrack-server)",
  capabilities: { local: false, needsFtrack: true, publishOnly: true },
  async register({ container, location }) {
    const { FtrackServerEncoder } = await import('./ftrack-server-encoder.js');
    // Source up and results down always go through ftrack.server, whatever the publish's location.
    const serverStorage = await location(SERVER_LOCATION_NAME);
    container.register(TOKENS.Encoder, { useValue: new FtrackServerEncoder(container.resolve(TOKENS.FtrackApi), serverStorage) });
  },
};
