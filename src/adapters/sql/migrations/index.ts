// Schema migrations, one list for both dialects, run at start by Kysely's Migrator in name order.
// Each migration is a file of its own here; add new ones at the end with the next number.

import type { Migration, MigrationProvider } from 'kysely'
import { initial } from './0001-initial.js'
import { outbox } from './0002-outbox.js'
import { venueLayout } from './0003-venue-layout.js'
import { orders } from './0004-orders.js'
import { idempotencyLeasesAndSeeding } from './0005-idempotency-seeding.js'
import { waitingRoom } from './0006-waiting-room.js'
import { relay } from './0007-relay.js'

const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_outbox': outbox,
  '0003_venue_layout': venueLayout,
  '0004_orders': orders,
  '0005_idempotency_seeding': idempotencyLeasesAndSeeding,
  '0006_waiting_room': waitingRoom,
  '0007_relay': relay
}

export const migrationProvider: MigrationProvider = {
  async getMigrations () { return migrations }
}
