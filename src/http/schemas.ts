// TypeBox schemas shared by routes: validation and OpenAPI from one source.

import { Type, type TSchema } from 'typebox'
import { DATE_PATTERN } from '../shared/dates.js'
import { NotFoundError } from '../shared/errors.js'
import { parseId } from '../shared/ids.js'
import { ERROR_CATALOGUE, codesWithStatus, type ErrorCode } from '../shared/error-catalogue.js'
import { USER_ID_PATTERN } from './auth.js'

export const IdString = Type.String({ minLength: 1, maxLength: 32, description: 'an id (numeric ids are sent as strings)' })
export const UserId = Type.String({ pattern: USER_ID_PATTERN, description: '1–64 characters of [A-Za-z0-9_-]' })
export const CalendarDate = Type.String({ pattern: DATE_PATTERN, description: 'a calendar date YYYY-MM-DD' })
export const Instant = Type.String({ format: 'date-time', description: 'ISO-8601 UTC with milliseconds' })
export const ConcertSchema = Type.Object({
  id: IdString,
  title: Type.String(),
  venue: Type.String(),
  dates: Type.Array(CalendarDate),
  salesOpenAt: Type.Union([Instant, Type.Null()], { description: 'when the waiting room opens its draw; null: first come, first served' })
})
export const Won = Type.Integer({ minimum: 0, description: 'an amount in won (KRW)' })
/** Query-string id: digits only (query strings are strings). */
export const QueryId = Type.String({ pattern: '^[1-9][0-9]{0,15}$' })

export const ProblemSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String({ description: 'stable UPPER_SNAKE error code' }),
  requestId: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() })))
}, { additionalProperties: true, description: 'RFC 9457 problem details (application/problem+json)' })

const problemResponse = (description: string): TSchema => ({ ...ProblemSchema, description })

/**
 * Documented error responses of a route. A status stands for every catalogue code of that status; a code narrows
 * its status to the codes named (e.g. `problems(401, 'SEAT_UNAVAILABLE', 'HOLD_LIMIT_REACHED')`).
 */
export function problems (...items: Array<number | ErrorCode>): Record<number, TSchema> {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const item of items) {
    const status = typeof item === 'number' ? item : ERROR_CATALOGUE[item].status
    const named = byStatus.get(status) ?? []
    byStatus.set(status, typeof item === 'number' ? named : [...named, item])
  }
  return Object.fromEntries([...byStatus].map(([status, named]) =>
    [status, problemResponse((named.length > 0 ? named : codesWithStatus(status)).join(', ') || 'problem')]))
}

/** `/reservations/{id}` path parameters. */
export const ReservationIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 32 }) })

/** A reservation id from the path; an id that cannot exist is simply not found. */
export function reservationIdOf (id: string): number {
  const n = parseId(id)
  if (n === null) throw new NotFoundError('RESERVATION_NOT_FOUND', `no reservation ${id}`)
  return n
}

export const BearerSecurity = [{ bearer: [] }]
export const QueueSecurity = [{ bearer: [], queueToken: [] }]

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$', description: 'makes the request exactly-once: 1–255 printable ASCII characters, spaces included; kept 24 hours' }))
}, { additionalProperties: true })

export const QueueTokenHeaders = Type.Object({
  'queue-token': Type.Optional(Type.String({ description: 'the waiting-room token (ACTIVE for these routes)' }))
}, { additionalProperties: true })
