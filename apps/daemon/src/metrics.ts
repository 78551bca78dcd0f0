import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FarmJobEvent } from '@ftrack-encode/encoder-farm';

/** Prometheus metrics of one daemon: job outcomes, encode time, queue depth (read from Redis at scrape). */
export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly jobs: Counter<'queue' | 'kind' | 'state'>;
  private readonly active: Gauge<'queue'>;
  private readonly seconds: Histogram<'queue' | 'kind' | 'outcome'>;
  private readonly waited: Histogram<'queue'>;
  private readonly autoEncodes: Counter<'outcome'>;

  constructor(queueDepth: () => Promise<{ queue: string; counts: Record<string, number> }[]>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'ftrack_encode_daemon_' });
    this.jobs = new Counter({
      name: 'ftrack_encode_jobs_total',
      help: 'Farm jobs run by this daemon, by final state of the attempt',
      labelNames: ['queue', 'kind', 'state'],
      registers: [this.registry],
    });
    this.active = new Gauge({ name: 'ftrack_encode_jobs_active', help: 'Jobs this daemon is running now', labelNames: ['queue'], registers: [this.registry] });
    this.seconds = new Histogram({
      name: 'ftrack_encode_job_seconds',
      help: 'Wall time of one job attempt (encode, validate, store, register)',
      labelNames: ['queue', 'kind', 'outcome'],
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers: [this.registry],
    });
    this.waited = new Histogram({
      name: 'ftrack_encode_job_wait_seconds',
      help: 'Time from submit to a worker starting the job',
      labelNames: ['queue'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
      registers: [this.registry],
    });
    this.autoEncodes = new Counter({
      name: 'ftrack_encode_auto_encode_events_total',
      help: 'component-added events seen, by outcome',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'ftrack_encode_queue_jobs',
      help: 'Jobs in the queue by state (whole farm, read from Redis)',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { queue, counts } of await queueDepth().catch(() => [])) {
          for (const [state, n] of Object.entries(counts)) this.set({ queue, state }, n);
        }
      },
    });
  }

  record(event: FarmJobEvent): void {
    if (event.type === 'active') {
      this.active.inc({ queue: event.queue });
      this.waited.observe({ queue: event.queue }, event.waitedMs / 1000);
      return;
    }
    this.active.dec({ queue: event.queue });
    const state = event.type === 'completed' ? 'completed' : event.willRetry ? 'retried' : 'failed';
    this.jobs.inc({ queue: event.queue, kind: event.kind, state });
    this.seconds.observe({ queue: event.queue, kind: event.kind, outcome: state }, event.seconds);
  }

  autoEncode(outcome: 'enqueued' | 'ignored' | 'error'): void {
    this.autoEncodes.inc({ outcome });
  }
}
