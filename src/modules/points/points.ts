// Prepaid points: the vocabulary of a balance and its history.

export type PointEntryType = 'CHARGE' | 'USE' | 'REFUND'

export interface PointEntry {
  id: number
  userId: string
  type: PointEntryType
  amount: number
  balanceAfter: number
  reservationId: number | null
  createdAt: number
}
