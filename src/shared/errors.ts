// Domain errors with stable codes; http/problem.ts is the one place that turns them into responses.

/** Base of every error the service reports on purpose; `code` is the contract's UPPER_SNAKE identifier. */
export class AppError extends Error {
  readonly status: number
  readonly code: string
  readonly extensions: Record<string, unknown>

  constructor (status: number, code: string, message: string, extensions: Record<string, unknown> = {}) {
    super(message)
    this.name = new.target.name
    this.status = status
    this.code = code
    this.extensions = extensions
  }
}

export class ValidationError extends AppError {
  constructor (message: string, errors: Array<{ path: string, message: string }> = []) {
    super(400, 'VALIDATION_FAILED', message, { errors })
  }
}
export class UnauthenticatedError extends AppError {
  constructor (code: 'UNAUTHENTICATED' | 'QUEUE_TOKEN_REQUIRED' | 'QUEUE_TOKEN_INVALID', message: string) { super(401, code, message) }
}
export class ForbiddenError extends AppError {
  constructor (code: 'FORBIDDEN' | 'QUEUE_NOT_ADMITTED' | 'QUEUE_TOKEN_CONCERT_MISMATCH', message: string) { super(403, code, message) }
}
export class NotFoundError extends AppError {
  constructor (code: 'NOT_FOUND' | 'CONCERT_NOT_FOUND' | 'SHOW_NOT_FOUND' | 'SEAT_NOT_FOUND' | 'RESERVATION_NOT_FOUND', message: string) { super(404, code, message) }
}
export class ConflictError extends AppError {
  constructor (code: 'SEAT_UNAVAILABLE' | 'HOLD_LIMIT_REACHED' | 'HOLD_EXPIRED' | 'ALREADY_PAID' | 'RESERVATION_NOT_HELD', message: string) { super(409, code, message) }
}
export class GoneError extends AppError {
  constructor (message: string) { super(410, 'QUEUE_TOKEN_EXPIRED', message) }
}
export class UnprocessableError extends AppError {
  constructor (code: 'INSUFFICIENT_POINTS' | 'CHARGE_LIMIT_EXCEEDED' | 'IDEMPOTENCY_KEY_REUSED', message: string, extensions: Record<string, unknown> = {}) {
    super(422, code, message, extensions)
  }
}
export class ServiceUnavailableError extends AppError {
  readonly retryAfterSeconds: number
  constructor (message: string, retryAfterSeconds = 5) {
    super(503, 'SERVICE_UNAVAILABLE', message)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** Rebuilds an error recorded earlier (idempotent replays) from its status, code and message. */
export function errorFromRecord (r: { status: number, code: string, message: string, extensions?: Record<string, unknown> }): AppError {
  return new AppError(r.status, r.code, r.message, r.extensions ?? {})
}
