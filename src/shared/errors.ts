// Domain errors with stable codes from the error catalogue; http/problem.ts is the one place that turns them into responses.

import { ERROR_CATALOGUE, isErrorCode, type CodeWithStatus, type ErrorCode } from './error-catalogue.js'

/** A field at fault: `path` is a JSON pointer into the use case's input (e.g. `/shows/0/date`), never a transport path. */
export interface FieldError { path: string, message: string }

/** Base of every error the service reports on purpose; `code` is the contract's UPPER_SNAKE identifier. */
export class AppError extends Error {
  readonly status: number
  readonly code: ErrorCode
  readonly extensions: Record<string, unknown>

  constructor (code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message)
    this.name = new.target.name
    this.status = ERROR_CATALOGUE[code].status
    this.code = code
    this.extensions = extensions
  }
}

export class ValidationError extends AppError {
  constructor (message: string, errors: FieldError[] = []) {
    super('VALIDATION_FAILED', message, { errors })
  }
}
export class UnauthenticatedError extends AppError {
  constructor (code: CodeWithStatus<401>, message: string) { super(code, message) }
}
export class ForbiddenError extends AppError {
  constructor (code: CodeWithStatus<403>, message: string) { super(code, message) }
}
export class NotFoundError extends AppError {
  constructor (code: CodeWithStatus<404>, message: string) { super(code, message) }
}
export class ConflictError extends AppError {
  constructor (code: CodeWithStatus<409>, message: string, extensions: Record<string, unknown> = {}) { super(code, message, extensions) }
}
export class GoneError extends AppError {
  constructor (message: string) { super('QUEUE_TOKEN_EXPIRED', message) }
}
export class UnprocessableError extends AppError {
  constructor (code: CodeWithStatus<422>, message: string, extensions: Record<string, unknown> = {}) { super(code, message, extensions) }
}
export class ServiceUnavailableError extends AppError {
  readonly retryAfterSeconds: number
  constructor (message: string, retryAfterSeconds = 5) {
    super('SERVICE_UNAVAILABLE', message)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** Rebuilds an error recorded earlier (idempotent replays) from its code and message. */
export function errorFromRecord (r: { status: number, code: string, message: string, extensions?: Record<string, unknown> }): AppError {
  // Only 4xx AppErrors are recorded, so the code is always one of the catalogue's.
  return new AppError(isErrorCode(r.code) ? r.code : 'INTERNAL_ERROR', r.message, r.extensions ?? {})
}
