// `ftrack.*` events published by a client carry the authenticated user as
// `source.user`, as on the real server: listeners (action handlers, the AYON
// tray) trust source.user, so a client must not be able to speak for another.
import type { ApiUser } from '../store/users.js';
import type { HubEvent } from './event-hub.js';

export function stampSource(event: HubEvent, user: ApiUser): HubEvent {
  if (typeof event.topic !== 'string' || !event.topic.startsWith('ftrack.')) return event;
  const source = typeof event.source === 'object' && event.source !== null && !Array.isArray(event.source) ? event.source : {};
  return { ...event, source: { ...source, user: { id: user.id, username: user.username } } };
}
