// Table types for Kysely; times are integer milliseconds since the epoch so both dialects agree.

import type { Generated } from 'kysely'

export interface UsersTable { id: string, balance: number, created_at: number, updated_at: number }
export interface ConcertsTable {
  id: Generated<number>
  title: string
  venue: string
  created_at: number
  sales_open_at: number | null
  /** 32 random bytes as hex, chosen at creation; secret until sales open (the draw reveals it). */
  draw_seed: string | null
}
export interface ShowsTable { id: Generated<number>, concert_id: number, show_date: string, starts_at: number, no_single_seat_gaps: Generated<number> }
export interface SeatsTable {
  show_id: number
  seat_no: number
  grade: string
  price: number
  /** AVAILABLE | HELD | SOLD; a HELD row whose held_until has passed counts as AVAILABLE. */
  status: string
  held_until: number | null
  user_id: string | null
  reservation_id: number | null
  section: Generated<string>
  row_label: Generated<string>
  /** The row's index among the show's rows in the admin's order (one admin seat range = one row). */
  row_no: Generated<number>
}
export interface ReservationsTable {
  id: Generated<number>
  user_id: string
  concert_id: number
  show_id: number
  show_date: string
  seat_no: number
  price: number
  /** HELD | CONFIRMED | CANCELLED | EXPIRED | REFUNDED; a HELD row whose held_until has passed reads as EXPIRED. */
  status: string
  held_until: number
  created_at: number
  paid_at: number | null
  /** How many seats the reservation is for (rows in reservation_seats). */
  seat_count: Generated<number>
  refunded_at: Generated<number | null>
}
/** The seats of each reservation; `reservations.seat_no` is the first of them. */
export interface ReservationSeatsTable { reservation_id: number, seat_no: number, show_id: number }
export interface PointHistoryTable {
  id: Generated<number>
  user_id: string
  type: string
  amount: number
  balance_after: number
  reservation_id: number | null
  created_at: number
}
export interface PaymentsTable { id: Generated<number>, reservation_id: number, user_id: string, amount: number, created_at: number, refunded_at: Generated<number | null> }
export interface IdempotencyKeysTable {
  scope: string
  idem_key: string
  request_hash: string
  /** PENDING while the first request runs, DONE once its outcome is recorded. */
  state: string
  outcome: string | null
  /** The fencing token of the request that runs the key while PENDING. */
  owner: string
  /** Until when the owner's lease runs; a PENDING record past it may be taken over. */
  lease_until: number
  created_at: number
}
/** One row per seeding done once per database (e.g. `demo`). */
export interface SeedMarkersTable { name: string, created_at: number }

export interface OutboxTable {
  id: Generated<number>
  type: string
  show_id: number | null
  occurred_at: number
  /** JSON of the event's data. */
  data: string
  /** When the relay delivered it (null until then). */
  published_at: number | null
}

/** The in-process waiting room's journal: one row per live token (heartbeats are not written). */
export interface QueueEntriesTable {
  token_id: string
  concert_id: number
  user_id: string
  /** PREQUEUE | WAITING | ACTIVE */
  state: string
  /** Order in the room (negative for the tokens placed by the draw). */
  seq: number
  active_until: number | null
  drawn: number
}
export interface QueueRoomsTable {
  concert_id: number
  seq: number
  drawn_at: number | null
  /** JSON array of the token ids in draw order. */
  draw_order: string | null
}
/** A concert's published draw: its draw keys in order, 64 hex digits each, concatenated. */
export interface QueueDrawsTable { concert_id: number, drawn_at: number, entries: string }
export interface OutboxRelayTable {
  /** 'outbox': the one relay of the outbox table. */
  name: string
  /** The instance delivering now (null before the first one). */
  holder: string | null
  /** Fencing token: rises whenever another holder takes over; the stream refuses batches of a lower one. */
  token: number
  /** The lease lapses then unless the holder renews it. */
  expires_at: number
}

export interface DB {
  users: UsersTable
  concerts: ConcertsTable
  shows: ShowsTable
  seats: SeatsTable
  reservations: ReservationsTable
  reservation_seats: ReservationSeatsTable
  point_history: PointHistoryTable
  payments: PaymentsTable
  idempotency_keys: IdempotencyKeysTable
  outbox: OutboxTable
  queue_entries: QueueEntriesTable
  queue_rooms: QueueRoomsTable
  queue_draws: QueueDrawsTable
  seed_markers: SeedMarkersTable
  outbox_relay: OutboxRelayTable
}
