// Events out: what other systems (tickets by SMS, accounting, analytics) learn about seats and money.

export type OutboxEventType =
  | 'reservation.held'
  | 'reservation.cancelled'
  | 'reservation.expired'
  | 'payment.confirmed'
  | 'reservation.refunded'
  | 'points.charged'

/** What a change tells: the fields that apply to it (docs/API.md, "Events out"). */
export interface OutboxData {
  reservationId?: string
  userId?: string
  concertId?: string
  date?: string
  seatNos?: number[]
  amount?: number
  balance?: number
}

export interface NewOutboxEvent {
  type: OutboxEventType
  /** The show the change belongs to (events of one show are relayed in commit order); null for points. */
  showId: number | null
  occurredAt: number
  data: OutboxData
}

export interface OutboxEvent extends NewOutboxEvent { id: number, publishedAt: number | null }

/** An event as consumers see it, in the stream and from GET /admin/events: the id is a string, times ISO-8601 UTC. */
export interface PublishedEvent { id: string, type: OutboxEventType, occurredAt: string, data: OutboxData }

export const toPublishedEvent = (e: OutboxEvent): PublishedEvent =>
  ({ id: String(e.id), type: e.type, occurredAt: new Date(e.occurredAt).toISOString(), data: e.data })
