import type { ExistingComponent, RegisteredComponent, RegistrationKey, RegistrationRequest, ReviewRegistry } from '../ports/review-registry.js';
import { formatChecksum } from '../domain/encode-plan.js';
import { isEncodeError, type EncodeError } from '../errors.js';

/** What a read-back says about a registration whose call failed. */
export type RegistrationVerdict = 'registered' | 'absent' | 'unknown';

/**
 * The server said no and applied nothing: bad credentials, an unknown entity, a validation
 * error. Anything else (no response, reset, timeout, 5xx) may have been committed.
 */
export function isDefiniteRefusal(error: EncodeError): boolean {
  if (error.code === 'E_FTRACK_AUTH' || error.code === 'E_FTRACK_NOT_FOUND' || error.code === 'E_USAGE') return true;
  return error.details['refused'] === true;
}

/** Every component of the request is recorded in the request's location. */
export function isFullyRegistered(request: RegistrationRequest, found: ExistingComponent[] | undefined): boolean {
  if (!found) return false;
  return request.components.every((c) => {
    const component = found.find((f) => f.id === c.componentId);
    return component?.locations.some((l) => l.locationId === request.locationId && l.resourceIdentifier === c.stored.resourceIdentifier) ?? false;
  });
}

/** The result register() would have returned, for a registration confirmed by reading it back. */
export function registeredComponentsOf(request: RegistrationRequest): RegisteredComponent[] {
  return request.components.map((c) => ({
    id: c.componentId,
    name: c.output.name,
    locationId: request.locationId,
    resourceIdentifier: c.stored.resourceIdentifier,
    checksum: formatChecksum(c.stored.checksum),
    size: c.stored.size,
  }));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads the registration back after a call whose outcome is unknown. A read that fails is
 * retried after each delay; "absent" is only believed when a second read, one delay later,
 * agrees (a request still in flight behind a proxy timeout may yet commit).
 */
export async function confirmRegistration(
  registry: ReviewRegistry,
  request: RegistrationRequest,
  key: RegistrationKey,
  delaysMs: readonly number[],
): Promise<RegistrationVerdict> {
  let absentReads = 0;
  for (let attempt = 0; attempt <= delaysMs.length; attempt++) {
    if (attempt > 0) await sleep(delaysMs[attempt - 1] ?? 0);
    try {
      const found = await registry.findRegistration(request.target.versionId, key);
      if (isFullyRegistered(request, found)) return 'registered';
      if (++absentReads >= 2) return 'absent';
    } catch (error) {
      if (isEncodeError(error, 'E_FTRACK_AUTH')) return 'unknown';
    }
  }
  return 'unknown';
}
