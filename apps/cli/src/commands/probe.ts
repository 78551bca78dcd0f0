import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  TOKENS,
  describeColourPipeline,
  describeRate,
  formatRational,
  resolveColourPipeline,
  resolveSequenceRate,
  sourceLabel,
  withSequenceRate,
} from '@ftrack-encode/core';
import { createScope } from '@ftrack-encode/composition';
import { addOutputOptions, addSourceOptions, setup, sourceConfigFlags, type CommonFlags, type SourceFlags } from './shared-options.js';

interface ProbeFlags extends CommonFlags, SourceFlags {
  backend?: 'auto' | 'native' | 'wasm';
}

export function registerProbeCommand(program: Command, run: (action: () => Promise<unknown>, flags: CommonFlags) => Promise<void>): void {
  addOutputOptions(
    addSourceOptions(
      program
        .command('probe')
        .summary('show what a movie or sequence contains')
        .description('Probe a movie or image sequence: size, pixel aspect, exact frame rate, frame count, codec, colour tags, audio, gaps.')
        .argument('<input>', 'movie file or image sequence pattern')
        .option('-b, --backend <backend>', 'auto | native | wasm'),
    ),
  ).action(async (input: string, flags: ProbeFlags) =>
    run(async () => {
      const { config, terminal, logger } = await setup(flags, { ...(flags.backend ? { backend: flags.backend } : {}), ...sourceConfigFlags(flags) });
      const scope = await createScope(config, { logger });
      const container = scope.container;
      const probe = container.resolve(TOKENS.MediaProbe);
      const source = await probe.locate(resolve(input), { gapPolicy: 'hold' });
      const probed = await probe.probe(source);
      // How an encode would read it: the sequence rate it would use and the colour pipeline.
      const settings = container.isRegistered(TOKENS.SourceSettings, true) ? container.resolve(TOKENS.SourceSettings) : {};
      const baker = container.isRegistered(TOKENS.ColourBaker, true) ? container.resolve(TOKENS.ColourBaker) : undefined;
      const rate = source.kind === 'sequence' ? resolveSequenceRate(probed, source, settings) : undefined;
      const info = rate ? withSequenceRate(probed, rate) : probed;
      const colour = await resolveColourPipeline(info, source, settings, baker);
      if (flags.json) {
        terminal.json({
          source,
          info: { ...info, frameRate: formatRational(info.frameRate), pixelAspect: formatRational(info.pixelAspect) },
          colour: { ...colour, summary: describeColourPipeline(colour) },
        });
        return;
      }
      terminal.print(`source       ${sourceLabel(source)}`);
      if (source.kind === 'sequence') {
        terminal.print(
          `frames       ${source.first}-${source.last}${source.missing.length ? ` (missing ${source.missing.length}: ${source.missing.slice(0, 10).join(', ')}${source.missing.length > 10 ? ', ...' : ''})` : ''}`,
        );
      }
      terminal.print(`format       ${info.format}`);
      terminal.print(`video        ${info.codec} ${info.width}x${info.height} SAR ${formatRational(info.pixelAspect)} ${info.pixelFormat}`);
      terminal.print(
        `frame rate   ${formatRational(info.frameRate)} (${(info.frameRate.num / info.frameRate.den).toFixed(3)} fps${rate ? `, ${describeRate(rate)}` : ''}${info.variableFrameRate ? ', variable: conformed to this rate' : ''})`,
      );
      terminal.print(`frame count  ${info.frameCount}`);
      terminal.print(`duration     ${info.duration.toFixed(3)} s`);
      terminal.print(`colour       ${[info.color.primaries, info.color.transfer, info.color.space, info.color.range].map((c) => c ?? '-').join(' / ')}`);
      terminal.print(`audio        ${info.audio.length ? info.audio.map((a) => `${a.codec} ${a.channels}ch ${a.sampleRate}Hz`).join(', ') : 'none'}`);
      if (info.rotation) terminal.print(`rotation     ${info.rotation}° clockwise (display matrix)`);
      if (info.fieldOrder && info.fieldOrder !== 'progressive') terminal.print(`interlaced   ${info.fieldOrder} (deinterlaced with bwdif)`);
      if (info.timecode) terminal.print(`timecode     ${info.timecode}`);
      if (info.imageHeader?.compression)
        terminal.print(
          `exr          ${info.imageHeader.compression}, ${info.imageHeader.parts ?? 1} part(s)${info.imageHeader.layers?.length ? `, layers ${info.imageHeader.layers.join(', ')}` : ''}`,
        );
      terminal.print(`interpreted  ${describeColourPipeline(colour)}`);
      for (const w of [...(rate?.warning ? [rate.warning] : []), ...colour.warnings]) terminal.note(`warning: ${w}`);
    }, flags),
  );
}
