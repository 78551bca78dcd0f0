import { hostname } from 'node:os';
import type { Config, Logger, SegmentsSetting } from '@ftrack-encode/core';
import { FtrackConnection, type FtrackCredentials } from '@ftrack-encode/ftrack';
import { DEFAULT_QUEUE, type FarmClient } from '@ftrack-encode/encoder-farm';
import { queries } from '@ftrack-encode/ftrack-protocol';

export type { AutoEncodeRuleConfig } from '@ftrack-encode/encoder-farm/descriptor';
import type { AutoEncodeRuleConfig } from '@ftrack-encode/encoder-farm/descriptor';

export interface AddedComponent {
  componentId: string;
  name: string;
  versionId: string | null;
  /** Short name of the version's asset type (upload, img, ...). */
  assetType: string | undefined;
  locationName: string;
}

/** Our own outputs: never encode review media into review media. */
export function isReviewMedia(name: string): boolean {
  return name.startsWith('ftrackreview-') || name === 'thumbnail';
}

/** The first rule that wants this component encoded, if any. */
export function matchAutoEncodeRule(rules: readonly AutoEncodeRuleConfig[], component: AddedComponent): AutoEncodeRuleConfig | undefined {
  if (!component.versionId || isReviewMedia(component.name)) return undefined;
  return rules.find(
    (rule) =>
      (rule.assetTypes.length === 0 || (component.assetType !== undefined && rule.assetTypes.includes(component.assetType))) &&
      (rule.componentNames.length === 0 || rule.componentNames.includes(component.name)),
  );
}

interface Row {
  [key: string]: unknown;
}

/**
 * Listens on the ftrack event hub for `ftrack.location.component-added` and enqueues a
 * publish job (source = the component in its location) for components the rules select.
 * Every daemon listens; the job id dedupes, so one upload is one job however many daemons hear it.
 */
export class AutoEncoder {
  private readonly connection: FtrackConnection;
  private subscription: string | undefined;

  constructor(
    credentials: FtrackCredentials & { schemaCacheDir?: string },
    private readonly rules: readonly AutoEncodeRuleConfig[],
    private readonly client: FarmClient,
    private readonly logger: Logger,
    /** A rule profile's segments, else the config's default (docs/segments.md). */
    private readonly segmentsFor: (profile: string) => SegmentsSetting | undefined = () => undefined,
    private readonly onOutcome: (outcome: 'enqueued' | 'ignored' | 'error') => void = () => undefined,
  ) {
    this.connection = new FtrackConnection(credentials);
  }

  async start(): Promise<void> {
    const session = await this.connection.session();
    session.eventHub.connect();
    this.subscription = session.eventHub.subscribe(
      'topic=ftrack.location.component-added',
      (event) => {
        void this.handle((event as unknown as { data?: Record<string, unknown> }).data ?? {});
      },
      { id: `ftrack-encode-daemon-${hostname()}-${process.pid}` },
    );
    this.logger.info('auto-encode listening for ftrack.location.component-added', { rules: this.rules.length });
  }

  private async lookup(componentId: string, locationId: string): Promise<AddedComponent | undefined> {
    const [components, locations] = await this.connection.call<{ data: Row[] }>('Looking up an added component', [
      { action: 'query', expression: queries.addedComponent(componentId) },
      { action: 'query', expression: queries.locationById(locationId) },
    ]);
    const row = components?.data[0];
    if (!row) return undefined;
    const version = row['version'] as { asset?: { type?: { short?: string } } } | null | undefined;
    return {
      componentId,
      name: String(row['name'] ?? ''),
      versionId: row['version_id'] ? String(row['version_id']) : null,
      assetType: version?.asset?.type?.short,
      locationName: String(locations?.data[0]?.['name'] ?? ''),
    };
  }

  async handle(data: Record<string, unknown>): Promise<void> {
    const componentId = typeof data['component_id'] === 'string' ? data['component_id'] : undefined;
    const locationId = typeof data['location_id'] === 'string' ? data['location_id'] : undefined;
    if (!componentId || !locationId) return;
    try {
      const component = await this.lookup(componentId, locationId);
      const rule = component && matchAutoEncodeRule(this.rules, component);
      if (!component || !rule || !component.versionId) {
        this.onOutcome('ignored');
        this.logger.debug('component-added ignored', { componentId, name: component?.name });
        return;
      }
      const segments = this.segmentsFor(rule.profile);
      const job = await this.client.submit(
        {
          kind: 'publish',
          source: { kind: 'component', componentId, ...(component.locationName ? { locationName: component.locationName } : {}) },
          versionId: component.versionId,
          profile: rule.profile,
          location: rule.location,
          ...(segments !== undefined ? { segments } : {}),
        },
        { queue: DEFAULT_QUEUE },
      );
      this.onOutcome('enqueued');
      this.logger.info('auto-encode enqueued', {
        jobId: job.id,
        created: job.created,
        componentId,
        component: component.name,
        versionId: component.versionId,
        profile: rule.profile,
      });
    } catch (error) {
      this.onOutcome('error');
      this.logger.error('auto-encode failed to enqueue', { componentId, error: String(error) });
    }
  }

  async stop(): Promise<void> {
    const session = await this.connection.session().catch(() => undefined);
    if (session && this.subscription) session.eventHub.unsubscribe(this.subscription);
    await this.connection.close();
  }
}
