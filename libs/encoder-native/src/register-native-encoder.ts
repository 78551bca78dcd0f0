import { instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import { TOKENS } from '@ftrack-encode/core';
import { NativeEncoder } from './native-encoder.js';
import { NativeMediaProbe } from './native-media-probe.js';
import { NativeQualityMeter } from './native-quality-meter.js';
import { NativeQcRenderer } from './native-qc-renderer.js';
import { NATIVE_ENCODER_OPTIONS, type NativeEncoderOptions } from './native-options.js';

/** Registers TOKENS.Encoder (native ffmpeg) and TOKENS.MediaProbe (ffprobe) in `container`. */
export function registerNativeEncoder(container: DependencyContainer, options: NativeEncoderOptions = {}): void {
  container.register(NATIVE_ENCODER_OPTIONS, { useValue: options });
  container.register(TOKENS.Encoder, { useFactory: instanceCachingFactory((c) => c.resolve(NativeEncoder)) });
  container.register(TOKENS.MediaProbe, { useFactory: instanceCachingFactory((c) => c.resolve(NativeMediaProbe)) });
  // The quality gate measures with the same ffmpeg, whatever encodes (farm and ftrack outputs too).
  container.register(TOKENS.QualityMeter, { useValue: new NativeQualityMeter(options) });
  container.register(TOKENS.QcRenderer, { useValue: new NativeQcRenderer(options) });
}
