// Port: payment records, one per paid reservation, marked when refunded.

export interface Payment { id: number, reservationId: number, userId: string, amount: number, createdAt: number, refundedAt: number | null }

export interface PaymentStore {
  insert (p: Omit<Payment, 'id' | 'refundedAt'>): Promise<Payment>
  /** The reservation's payment → refunded at `at`; false when it has none or it was refunded already. */
  markRefunded (reservationId: number, at: number): Promise<boolean>
}
