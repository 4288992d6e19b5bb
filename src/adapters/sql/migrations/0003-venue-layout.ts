// Migration 0003: the venue layout (seat sections and rows, no-single-seat-gap shows) and a concert's sales opening and draw seed.

import { randomBytes } from 'node:crypto'
import type { Kysely, Migration } from 'kysely'
import { isMysql } from './helpers.js'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types */
export const venueLayout: Migration = {
  async up (db: Kysely<any>) {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    await db.schema.alterTable('concerts').addColumn('sales_open_at', 'bigint').execute()
    await db.schema.alterTable('concerts').addColumn('draw_seed', 'varchar(64)').execute()
    await db.schema.alterTable('shows').addColumn('no_single_seat_gaps', 'integer', c => c.notNull().defaultTo(0)).execute()
    await db.schema.alterTable('seats').addColumn('section', 'varchar(40)', c => c.notNull().defaultTo('')).execute()
    await db.schema.alterTable('seats').addColumn('row_label', 'varchar(20)', c => c.notNull().defaultTo('')).execute()
    // The row's index among the show's rows in the admin's order: orders rows, and sections by their first row.
    await db.schema.alterTable('seats').addColumn('row_no', 'integer', c => c.notNull().defaultTo(0)).execute()
    await db.schema.createIndex('seats_show_section').on('seats').columns(['show_id', 'section']).execute()

    for (const { id } of await db.selectFrom('concerts').select('id').where('draw_seed', 'is', null).execute()) {
      await db.updateTable('concerts').set({ draw_seed: randomBytes(32).toString('hex') }).where('id', '=', id).execute()
    }
    await backfillRows(db)
  },
  async down (db: Kysely<any>) {
    const drop = db.schema.dropIndex('seats_show_section')
    await (isMysql(db) ? drop.on('seats') : drop).execute()
    for (const column of ['row_no', 'row_label', 'section']) await db.schema.alterTable('seats').dropColumn(column).execute()
    await db.schema.alterTable('shows').dropColumn('no_single_seat_gaps').execute()
    for (const column of ['draw_seed', 'sales_open_at']) await db.schema.alterTable('concerts').dropColumn(column).execute()
  }
}

/**
 * Seats created before layouts: section = grade, one row per range, a range being the consecutive seat
 * numbers of one grade and price (as the admin entered them); rows are labelled by their position in the section.
 */
async function backfillRows (db: Kysely<any>): Promise<void> {
  const shows = await db.selectFrom('seats').select('show_id').distinct().execute()
  for (const { show_id: showId } of shows) {
    const seats = await db.selectFrom('seats').select(['seat_no', 'grade', 'price']).where('show_id', '=', showId).orderBy('seat_no').execute()
    const ranges: Array<{ from: number, to: number, grade: string, price: number }> = []
    for (const s of seats) {
      const last = ranges.at(-1)
      if (last && last.to + 1 === s.seat_no && last.grade === s.grade && Number(last.price) === Number(s.price)) last.to = s.seat_no
      else ranges.push({ from: s.seat_no, to: s.seat_no, grade: s.grade, price: Number(s.price) })
    }
    const rowsInSection = new Map<string, number>()
    for (const [rowNo, r] of ranges.entries()) {
      const position = (rowsInSection.get(r.grade) ?? 0) + 1
      rowsInSection.set(r.grade, position)
      await db.updateTable('seats').set({ section: r.grade, row_label: String(position), row_no: rowNo })
        .where('show_id', '=', showId).where('seat_no', '>=', r.from).where('seat_no', '<=', r.to).execute()
    }
  }
}
