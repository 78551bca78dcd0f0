// The one error shape both ftrack clients understand (protocol §1.4).

export interface ErrorBody {
  exception: string;
  content: string;
  error_code: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly exception: string,
    readonly content: string,
    readonly status = 200,
    readonly errorCode: string | null = null,
  ) {
    super(content);
    this.name = exception;
  }

  toBody(): ErrorBody {
    return { exception: this.exception, content: this.content, error_code: this.errorCode };
  }
}

export const validationError = (content: string): ApiError => new ApiError('ValidationError', content, 400);
export const serverError = (content: string, status = 500): ApiError => new ApiError('ServerError', content, status);

export const invalidCredentials = (): ApiError => new ApiError('InvalidCredentialsError', 'The supplied API key is not valid.', 401);

export function invalidAction(name: string): ApiError {
  return new ApiError('ServerError', `Invalid action u'${name}'`, 400);
}

/** Any thrown value as an ApiError; unknown errors become ServerError without internals. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return serverError(`Internal server error: ${message}`);
}
