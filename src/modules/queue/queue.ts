// The waiting room's vocabulary and its pure rules (ETA).

export type QueueStatus = 'WAITING' | 'ACTIVE'

export interface QueueEntry {
  tokenId: string
  userId: string
  concertId: number
  status: QueueStatus
  /** 1-based among those still waiting; 0 once ACTIVE. */
  position: number
  activeUntil: number | null
}

export interface QueuePolicy {
  maxActive: number
  activeTtlMs: number
  heartbeatTimeoutMs: number
}

export interface QueueView extends QueueEntry { estimatedWaitSeconds: number }

/**
 * Estimated wait from the admissions of the last minute (the same figure on every instance, since it
 * comes from the store). With no recent admissions, the worst case: every slot turns over only at its TTL.
 */
export function estimateWaitSeconds (position: number, admittedLastMinute: number, policy: QueuePolicy): number {
  if (position <= 0) return 0
  if (admittedLastMinute > 0) return Math.ceil(position / (admittedLastMinute / 60))
  return Math.ceil(position / policy.maxActive) * Math.ceil(policy.activeTtlMs / 1000)
}
