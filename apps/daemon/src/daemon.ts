import type { Redis } from 'ioredis';
import { type Logger } from '@ftrack-encode/core';
import { StreamLogger } from '@ftrack-encode/node-platform';
import { DEFAULT_QUEUE, FarmClient, FarmWorker, RedisPublishLock, connectRedis, queueForHardware } from '@ftrack-encode/encoder-farm';
import { AutoEncoder } from './auto-encode.js';
import { composeJobDeps, profileCatalog } from '@ftrack-encode/composition';
import { farmSettings } from '@ftrack-encode/encoder-farm/descriptor';
import { ftrackCredentials } from './compose-jobs.js';
import type { DaemonSettings } from './daemon-settings.js';
import { startHealthServer } from './health-server.js';
import { DaemonMetrics } from './metrics.js';
import { PinoLogger } from './pino-logger.js';

/** NVENC gets its own queue; other hardware encoders are used inside the CPU queue's worker only by config. */
const HARDWARE_QUEUES = ['h264_nvenc'];

export function createLogger(settings: Pick<DaemonSettings, 'json' | 'verbose' | 'name'>): Logger {
  const level = settings.verbose ? 'debug' : 'info';
  return settings.json ? new PinoLogger({ level, bindings: { worker: settings.name } }) : new StreamLogger({ level });
}

/**
 * The farm daemon: N BullMQ workers (one per capability queue), health/readiness and
 * Prometheus metrics over HTTP, the ftrack auto-encode listener, and a graceful stop.
 */
export class Daemon {
  private workers: FarmWorker[] = [];
  private closers: (() => Promise<void>)[] = [];
  private stopping: Promise<void> | undefined;
  healthPort = 0;

  constructor(
    private readonly settings: DaemonSettings,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const { settings, logger } = this;
    // Fails fast (E_QUEUE_UNAVAILABLE) when Redis is down or may evict keys: nothing else starts.
    const jobOptions = settings.retryDelayMs ? { jobOptions: { backoff: { type: 'fixed' as const, delay: settings.retryDelayMs } } } : {};
    const client = new FarmClient({ redisUrl: settings.redisUrl, prefix: settings.prefix, logger, ...jobOptions });
    await client.connection();
    this.closers.push(() => client.close());
    const lockRedis: Redis = await connectRedis(settings.redisUrl, 'worker');
    this.closers.push(async () => void (await lockRedis.quit().catch(() => lockRedis.disconnect())));
    const lock = new RedisPublishLock(lockRedis, settings.prefix, settings.timings.lockDurationMs ?? 30_000);

    const metrics = new DaemonMetrics(async () =>
      Promise.all(this.workers.flatMap((w) => w.queues).map(async (queue) => ({ queue, counts: await client.counts(queue) }))),
    );
    const credentials = ftrackCredentials(settings.config);
    const base = { logger, scratchDir: settings.scratchDir, threads: settings.threadsPerEncode, lock, ...(credentials ? { ftrack: credentials } : {}) };
    const cpu = await composeJobDeps(settings.config, base);
    this.closers.push(cpu.close);
    const capabilities = await cpu.deps.encoder.capabilities();
    const queues: { queue: string; deps: typeof cpu.deps }[] = [{ queue: DEFAULT_QUEUE, deps: cpu.deps }];
    for (const hardware of capabilities.hardware.filter((h) => HARDWARE_QUEUES.includes(h))) {
      const composed = await composeJobDeps(settings.config, { ...base, hardware });
      this.closers.push(composed.close);
      queues.push({ queue: queueForHardware(hardware), deps: composed.deps });
    }
    for (const { queue, deps } of queues) {
      const worker = await FarmWorker.start(deps, {
        redisUrl: settings.redisUrl,
        prefix: settings.prefix,
        queue,
        concurrency: settings.concurrency,
        stepConcurrency: settings.stepConcurrency,
        name: settings.name,
        logger,
        ...settings.timings,
        ...jobOptions,
        onJob: (event) => {
          metrics.record(event);
          if (event.type === 'failed') logger.warn('job attempt failed', { jobId: event.jobId, queue, code: event.code, willRetry: event.willRetry });
        },
      });
      this.workers.push(worker);
    }

    const health = await startHealthServer(settings.healthPort, {
      registry: metrics.registry,
      ready: async () => {
        const workers = this.workers.map((w) => ({ queue: w.queue, running: w.isRunning(), redis: w.redisStatus() }));
        const ok = !this.stopping && workers.length > 0 && workers.every((w) => w.running && w.redis === 'ready');
        return { ok, detail: { workers } };
      },
    });
    this.healthPort = health.port;
    this.closers.push(health.close);

    const rules = farmSettings(settings.config).autoEncode;
    if (rules.length > 0 && credentials) {
      const auto = new AutoEncoder(
        { ...credentials, ...(settings.config.ftrack.schemaCacheDir ? { schemaCacheDir: settings.config.ftrack.schemaCacheDir } : {}) },
        rules,
        client,
        logger,
        (profile) => profileCatalog(settings.config).get(profile).segments ?? settings.config.segments,
        (outcome) => metrics.autoEncode(outcome),
      );
      await auto.start();
      this.closers.unshift(() => auto.stop());
    } else if (rules.length > 0) {
      logger.warn('farm.autoEncode rules are configured but ftrack is not: auto-encode is off');
    }

    logger.info('daemon ready', {
      queues: this.workers.flatMap((w) => w.queues),
      concurrency: settings.concurrency,
      stepConcurrency: settings.stepConcurrency,
      threadsPerEncode: settings.threadsPerEncode,
      healthPort: health.port,
      encoder: `${capabilities.id} ${capabilities.version}`,
    });
  }

  /** Stop taking jobs, finish running ones within the deadline, hand back the rest, close everything. */
  async stop(reason: string): Promise<void> {
    this.stopping ??= (async () => {
      this.logger.info('daemon stopping', { reason, deadlineMs: this.settings.stopDeadlineMs });
      await Promise.all(this.workers.map((w) => w.close({ deadlineMs: this.settings.stopDeadlineMs })));
      // Each connection gets a bounded close: a hung socket (event hub, Redis) must not hold the exit.
      for (const close of this.closers) {
        let timer: NodeJS.Timeout | undefined;
        const bounded = new Promise<void>((resolve) => (timer = setTimeout(() => (this.logger.warn('close timed out'), resolve()), 2000)));
        await Promise.race([close().catch((error: unknown) => this.logger.warn('close failed', { error: String(error) })), bounded]);
        clearTimeout(timer);
      }
      this.logger.info('daemon stopped');
    })();
    return this.stopping;
  }
}
