// The signed-in user's last known points balance, shared by the header chip and the pages that move money.

import { api } from './api'
import { session } from './session'

let known: number | null = null
const listeners = new Set<() => void>()

export function balanceChanged (): number | null { return session() ? known : null }

export function onBalance (listener: () => void): void { listeners.add(listener) }

export function setBalance (amount: number | null): void {
  known = amount
  for (const listener of listeners) listener()
}

/** Fetches the balance; a failure leaves the chip hidden rather than showing a stale figure. */
export async function refreshBalance (): Promise<number | null> {
  try {
    const { balance } = await api.balance()
    setBalance(balance)
    return balance
  } catch {
    setBalance(null)
    return null
  }
}
