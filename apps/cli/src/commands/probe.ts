import { resolve } from 'node:path';
import type { Command } from 'commander';
import { TOKENS, formatRational, sourceLabel } from '@ftrack-encode/core';
import { createScope } from '@ftrack-encode/composition';
import { addOutputOptions, setup, type CommonFlags } from './shared-options.js';

interface ProbeFlags extends CommonFlags {
  backend?: 'auto' | 'native' | 'wasm';
}

export function registerProbeCommand(program: Command, run: (action: () => Promise<unknown>, flags: CommonFlags) => Promise<void>): void {
  addOutputOptions(
    program
      .command('probe')
      .summary('show what a movie or sequence contains')
      .description('Probe a movie or image sequence: size, pixel aspect, exact frame rate, frame count, codec, colour tags, audio, gaps.')
      .argument('<input>', 'movie file or image sequence pattern')
      .option('-b, --backend <backend>', 'auto | native | wasm'),
  ).action(async (input: string, flags: ProbeFlags) =>
    run(async () => {
      const { config, terminal, logger } = await setup(flags, flags.backend ? { backend: flags.backend } : {});
      const scope = await createScope(config, { logger });
      const probe = scope.container.resolve(TOKENS.MediaProbe);
      const source = await probe.locate(resolve(input), { gapPolicy: 'hold' });
      const info = await probe.probe(source);
      if (flags.json) {
        terminal.json({ source, info: { ...info, frameRate: formatRational(info.frameRate), pixelAspect: formatRational(info.pixelAspect) } });
        return;
      }
      terminal.print(`source       ${sourceLabel(source)}`);
      if (source.kind === 'sequence') {
        terminal.print(`frames       ${source.first}-${source.last}${source.missing.length ? ` (missing ${source.missing.length}: ${source.missing.slice(0, 10).join(', ')}${source.missing.length > 10 ? ', ...' : ''})` : ''}`);
      }
      terminal.print(`format       ${info.format}`);
      terminal.print(`video        ${info.codec} ${info.width}x${info.height} SAR ${formatRational(info.pixelAspect)} ${info.pixelFormat}`);
      terminal.print(`frame rate   ${formatRational(info.frameRate)} (${(info.frameRate.num / info.frameRate.den).toFixed(3)} fps)`);
      terminal.print(`frame count  ${info.frameCount}`);
      terminal.print(`duration     ${info.duration.toFixed(3)} s`);
      terminal.print(`colour       ${[info.color.primaries, info.color.transfer, info.color.space, info.color.range].map((c) => c ?? '-').join(' / ')}`);
      terminal.print(`audio        ${info.audio.length ? info.audio.map((a) => `${a.codec} ${a.channels}ch ${a.sampleRate}Hz`).join(', ') : 'none'}`);
    }, flags),
  );
}
