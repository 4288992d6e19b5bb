// The one table of error codes: each stable code with its HTTP status and title (docs/API.md, "Error codes").
// shared/errors.ts, http/problem.ts and the OpenAPI error descriptions all read it.

export interface CatalogueEntry { status: number, title: string }

export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  BAD_REQUEST: { status: 400, title: 'Malformed request' },
  UNAUTHENTICATED: { status: 401, title: 'Sign-in required' },
  QUEUE_TOKEN_REQUIRED: { status: 401, title: 'Queue token required' },
  QUEUE_TOKEN_INVALID: { status: 401, title: 'Queue token not valid' },
  FORBIDDEN: { status: 403, title: 'Not allowed' },
  QUEUE_NOT_ADMITTED: { status: 403, title: 'Not admitted yet' },
  QUEUE_TOKEN_CONCERT_MISMATCH: { status: 403, title: 'Queue token is for another concert' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  CONCERT_NOT_FOUND: { status: 404, title: 'Concert not found' },
  SHOW_NOT_FOUND: { status: 404, title: 'Show not found' },
  SEAT_NOT_FOUND: { status: 404, title: 'Seat not found' },
  SECTION_NOT_FOUND: { status: 404, title: 'Section not found' },
  RESERVATION_NOT_FOUND: { status: 404, title: 'Reservation not found' },
  SEAT_UNAVAILABLE: { status: 409, title: 'Seat unavailable' },
  HOLD_LIMIT_REACHED: { status: 409, title: 'Hold limit reached' },
  HOLD_EXPIRED: { status: 409, title: 'Hold expired' },
  ALREADY_PAID: { status: 409, title: 'Already paid' },
  RESERVATION_NOT_HELD: { status: 409, title: 'Reservation not held' },
  SINGLE_SEAT_GAP: { status: 409, title: 'Would leave a single-seat gap' },
  RESERVATION_NOT_CONFIRMED: { status: 409, title: 'Reservation not confirmed' },
  ALREADY_REFUNDED: { status: 409, title: 'Already refunded' },
  REFUND_CLOSED: { status: 409, title: 'Refunds closed' },
  SOLD_OUT: { status: 409, title: 'Sold out' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, title: 'First request still in progress' },
  QUEUE_TOKEN_EXPIRED: { status: 410, title: 'Queue token expired' },
  REQUEST_TIMEOUT: { status: 408, title: 'Request timeout' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  URI_TOO_LONG: { status: 414, title: 'URI too long' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  EXPECTATION_FAILED: { status: 417, title: 'Expectation failed' },
  INSUFFICIENT_POINTS: { status: 422, title: 'Insufficient points' },
  CHARGE_LIMIT_EXCEEDED: { status: 422, title: 'Charge limit exceeded' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'Idempotency key reused' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  HEADERS_TOO_LARGE: { status: 431, title: 'Request headers too large' },
  INTERNAL_ERROR: { status: 500, title: 'Internal error' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' }
} as const satisfies Record<string, CatalogueEntry>

export type ErrorCode = keyof typeof ERROR_CATALOGUE

/** The codes whose HTTP status is `S` (so an error class can accept only its own codes). */
export type CodeWithStatus<S extends number> = { [K in ErrorCode]: (typeof ERROR_CATALOGUE)[K]['status'] extends S ? K : never }[ErrorCode]

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CATALOGUE, code)

/** Every code of one status, in catalogue order (for the OpenAPI error descriptions). */
export const codesWithStatus = (status: number): ErrorCode[] =>
  (Object.keys(ERROR_CATALOGUE) as ErrorCode[]).filter(code => ERROR_CATALOGUE[code].status === status)
