// Port: payment records, one per paid reservation.

export interface Payment { id: number, reservationId: number, userId: string, amount: number, createdAt: number }

export interface PaymentStore {
  insert (p: Omit<Payment, 'id'>): Promise<Payment>
}
