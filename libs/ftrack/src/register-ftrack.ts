import type { DependencyContainer } from 'tsyringe';
import { TOKENS, silentLogger } from '@ftrack-encode/core';
import type { FtrackSessionConfig } from './ftrack-config.js';
import { FtrackConnection } from './ftrack-connection.js';
import { FtrackEventPublisher, type FtrackEventPublisherOptions } from './ftrack-event-publisher.js';
import { FtrackReviewRegistry } from './ftrack-review-registry.js';

export interface FtrackOptions extends FtrackSessionConfig {
  events?: FtrackEventPublisherOptions;
}

export interface RegisteredFtrack {
  connection: FtrackConnection;
  registry: FtrackReviewRegistry;
  events: FtrackEventPublisher;
  /** Disconnects the event hub; call when the publish is over. */
  close(): Promise<void>;
}

/**
 * TOKENS.ReviewRegistry and TOKENS.EventPublisher over one lazily opened Session. Register in
 * the container of one publish (a child container): the session is short-lived by design.
 */
export function registerFtrack(container: DependencyContainer, options: FtrackOptions = {}): RegisteredFtrack {
  const { events: eventOptions, ...sessionConfig } = options;
  const connection = new FtrackConnection(sessionConfig);
  const logger = container.isRegistered(TOKENS.Logger, true) ? container.resolve(TOKENS.Logger) : silentLogger;
  const registry = new FtrackReviewRegistry(connection);
  const events = new FtrackEventPublisher(connection, logger, eventOptions);
  container.register(TOKENS.ReviewRegistry, { useValue: registry });
  container.register(TOKENS.EventPublisher, { useValue: events });
  container.register(TOKENS.FtrackApi, { useValue: connection });
  return {
    connection,
    registry,
    events,
    close: async () => {
      events.disconnect();
      await connection.close();
    },
  };
}
