// Port: balances and their history; every change is one conditional statement.

import type { PointEntry } from './points.js'

export interface PointStore {
  /**
   * Creates the user's row (balance 0) if it does not exist yet. Call it outside transactions, before them:
   * two transactions inserting the same new row and then updating it would deadlock on MySQL.
   */
  ensureUser (userId: string, now: number): Promise<void>
  /** Adds `amount` unless the balance would pass `maxBalance`; false then. */
  credit (userId: string, amount: number, maxBalance: number, now: number): Promise<boolean>
  /** Takes `amount` only if the balance covers it; false otherwise. */
  debit (userId: string, amount: number, now: number): Promise<boolean>
  balance (userId: string): Promise<number>
  addEntry (entry: Omit<PointEntry, 'id'>): Promise<PointEntry>
  /** Newest first; entries with id below `beforeId` when given. */
  history (userId: string, limit: number, beforeId?: number): Promise<PointEntry[]>
}
