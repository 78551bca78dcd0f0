// THE adapter registry: every encoder and storage plug-in of this build, one line each.
// `nx g @ftrack-encode/tools:encoder|storage` adds its import and its entry here.
import type { EncoderDescriptor, StorageDescriptor } from '@ftrack-encode/core';
import { nativeEncoder } from '@ftrack-encode/encoder-native/descriptor';
import { wasmEncoder } from '@ftrack-encode/encoder-wasm/descriptor';
import { farmEncoder } from '@ftrack-encode/encoder-farm/descriptor';
import { ftrackEncoder } from '@ftrack-encode/encoder-ftrack/descriptor';
import { ftrackServerStorage } from '@ftrack-encode/storage-ftrack-server/descriptor';
import { diskStorage } from '@ftrack-encode/storage-disk/descriptor';

// One adapter a line (kept by prettier-ignore), so adding one is one line.
/** In `auto` order: the first local encoder that is available here wins. */
// prettier-ignore
export const ENCODERS = [
  nativeEncoder,
  wasmEncoder,
  farmEncoder,
  ftrackEncoder,
] as unknown as readonly EncoderDescriptor<never>[];

// prettier-ignore
export const STORAGES = [
  ftrackServerStorage,
  diskStorage,
] as unknown as readonly StorageDescriptor<never, never>[];
