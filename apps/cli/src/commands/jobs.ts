import type { Command } from 'commander';
import { EncodeError } from '@ftrack-encode/core';

/** Same as encoder-farm's DEFAULT_QUEUE; kept here so `--help` does not load BullMQ. */
const DEFAULT_QUEUE = 'encode-cpu';
import { farmSettings } from '@ftrack-encode/encoder-farm/descriptor';
import { addOutputOptions, setup, type CommonFlags } from './shared-options.js';

interface JobsFlags extends CommonFlags {
  queue?: string;
  limit?: string;
}

export function registerJobsCommand(program: Command, run: (action: () => Promise<unknown>, flags: CommonFlags) => Promise<void>): void {
  addOutputOptions(
    program
      .command('jobs')
      .summary('list, show or cancel farm jobs')
      .description(
        'Farm jobs on Redis (farm.redisUrl or REDIS_URL): `jobs list`, `jobs show ID`, `jobs cancel ID` (a running encode is killed and the job ends cancelled, not retried).',
      )
      .argument('[action]', 'list | show | cancel', 'list')
      .argument('[id]', 'job id for show/cancel')
      .option('--queue <name>', 'queue', DEFAULT_QUEUE)
      .option('--limit <n>', 'jobs to list', '20'),
  ).action(async (action: string, id: string | undefined, flags: JobsFlags) =>
    run(async () => {
      const { config, terminal, logger } = await setup(flags);
      const queue = flags.queue ?? DEFAULT_QUEUE;
      const { FarmClient, fromFailedReason } = await import('@ftrack-encode/encoder-farm');
      const farm = farmSettings(config);
      const client = new FarmClient({ redisUrl: farm.redisUrl, prefix: farm.queuePrefix, logger });
      try {
        if (action === 'list') {
          const [counts, jobs] = await Promise.all([client.counts(queue), client.recent(queue, Number(flags.limit ?? 20))]);
          if (flags.json) return terminal.json({ queue, counts, jobs });
          terminal.print(
            `${queue}: ${Object.entries(counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}`,
          );
          for (const job of jobs)
            terminal.print(
              `  ${job.id.padEnd(40)} ${job.name.padEnd(8)} ${job.state}${job.failedReason ? `  ${fromFailedReason(job.failedReason, job.id).code}` : ''}`,
            );
          return;
        }
        if (!id) throw new EncodeError('E_USAGE', `jobs ${action} needs a job id.`, { hint: 'ftrack-encode jobs list shows them.' });
        if (action === 'show') {
          const job = await client.job(id, queue);
          if (!job) throw new EncodeError('E_JOB_FAILED', `No job ${id} on ${queue}.`);
          const shown = {
            id,
            name: job.name,
            state: await job.getState(),
            progress: job.progress,
            attemptsMade: job.attemptsMade,
            failedReason: job.failedReason || undefined,
            data: job.data as unknown,
            result: job.returnvalue as unknown,
          };
          if (flags.json) terminal.json(shown);
          else terminal.print(JSON.stringify(shown, null, 2));
          return;
        }
        if (action === 'cancel') {
          const removed = await client.cancel({ id, queue });
          if (flags.json) terminal.json({ id, cancelled: true, removedBeforeStart: removed });
          else terminal.print(removed ? `job ${id} removed before it started` : `cancel requested: the worker running ${id} stops it`);
          return;
        }
        throw new EncodeError('E_USAGE', `Unknown jobs action "${action}".`, { hint: 'Use list, show ID or cancel ID.' });
      } finally {
        await client.close();
      }
    }, flags),
  );
}
