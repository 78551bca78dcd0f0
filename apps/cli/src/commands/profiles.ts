import type { Command } from 'commander';
import { EncodeError, profileHash } from '@ftrack-encode/core';
import { profileCatalog } from '@ftrack-encode/composition';
import { addOutputOptions, setup, type CommonFlags } from './shared-options.js';

export function registerProfilesCommand(program: Command, run: (action: () => Promise<unknown>, flags: CommonFlags) => Promise<void>): void {
  addOutputOptions(
    program
      .command('profiles')
      .summary('list or show encode profiles')
      .description('Built-in profiles (ftrack-review, proxy) merged with the profiles of the config file (same name replaces).')
      .argument('[action]', 'list | show', 'list')
      .argument('[name]', 'profile name for show'),
  ).action(async (action: string, name: string | undefined, flags: CommonFlags) =>
    run(async () => {
      const { config, terminal } = await setup(flags);
      const catalog = profileCatalog(config);
      if (action === 'list') {
        const profiles = catalog.list();
        if (flags.json)
          terminal.json(profiles.map((p) => ({ name: p.name, description: p.description, outputs: p.outputs.map((o) => o.name), hash: profileHash(p) })));
        else
          for (const p of profiles)
            terminal.print(`${p.name.padEnd(16)} ${p.description}\n${' '.repeat(17)}outputs: ${p.outputs.map((o) => o.name).join(', ')}`);
        return;
      }
      if (action === 'show') {
        if (!name) throw new EncodeError('E_USAGE', 'profiles show needs a profile name.', { hint: 'ftrack-encode profiles show ftrack-review' });
        const profile = catalog.get(name);
        if (flags.json) terminal.json({ ...profile, hash: profileHash(profile) });
        else terminal.print(JSON.stringify(profile, null, 2));
        return;
      }
      throw new EncodeError('E_USAGE', `Unknown profiles action "${action}".`, { hint: 'Use `profiles list` or `profiles show NAME`.' });
    }, flags),
  );
}
