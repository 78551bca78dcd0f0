import { EncodeError, isAbortError, redactSecrets, type ErrorCode } from '@ftrack-encode/core';

export { redactSecrets };

const AUTH_EXCEPTIONS = new Set(['InvalidCredentialsError', 'FTAuthenticationError', 'PermissionError', 'ServerPermissionDeniedError']);
const REFUSALS = new Set(['ServerValidationError', 'ValidationError', 'ServerPermissionDeniedError']);
const AUTH_TEXT = /api key is not valid|invalid credentials|not authenticated|authentication failed/i;

export function authError(serverUrl: string, apiUser: string, cause?: unknown): EncodeError {
  return new EncodeError('E_FTRACK_AUTH', `ftrack at ${serverUrl} rejected the API key of user "${apiUser}".`, {
    hint: 'Check FTRACK_API_USER and FTRACK_API_KEY (an API key from ftrack: My Account > Security settings, or a global key).',
    details: { server: serverUrl, user: apiUser },
    ...(cause === undefined ? {} : { cause: scrubCause(cause) }),
  });
}

export function isAuthFailure(exception: string | undefined, message: string): boolean {
  return (exception !== undefined && AUTH_EXCEPTIONS.has(exception)) || AUTH_TEXT.test(message);
}

/** Any error from the @ftrack/api client as an EncodeError that never carries the key. */
export function toFtrackError(
  error: unknown,
  what: string,
  context: { serverUrl: string; apiUser: string; apiKey: string },
  code: ErrorCode = 'E_FTRACK_FAILED',
): EncodeError {
  if (error instanceof EncodeError) return error;
  if (isAbortError(error)) return new EncodeError('E_CANCELLED', 'Cancelled.', { cause: scrubCause(error) });
  const name = error instanceof Error ? error.name : undefined;
  const message = redactSecrets(error instanceof Error ? error.message : String(error), [context.apiKey]);
  if (isAuthFailure(name, message)) return authError(context.serverUrl, context.apiUser, error);
  return new EncodeError(code, `${what} failed at ${context.serverUrl}: ${message}`, {
    // The server answered and applied nothing; any other failure may have been committed.
    details: { server: context.serverUrl, ...(name ? { ftrackError: name } : {}), ...(name && REFUSALS.has(name) ? { refused: true } : {}) },
    cause: scrubCause(error),
  });
}

/** Keep the cause chain useful without letting a URL with a key through. */
function scrubCause(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const scrubbed = new Error(redactSecrets(message));
  scrubbed.name = error instanceof Error ? error.name : 'Error';
  return scrubbed;
}
