// What the arena's parent (bench/scenarios/arena.ts) and its fan processes (fan-worker.ts) say to each other:
// a fan process's input, its IPC messages and the figures it writes, and the names of the steps it times.

export interface FanWorkerInput {
  worker: number
  workers: number
  /** Fans of the whole arena; this process plays those with index ≡ worker (mod workers). */
  fans: number
  ports: number[]
  secret: string
  userPrefix: string
  concertId: string
  date: string
  joinSpreadMs: number
  /** Sockets per service instance for waiting-room requests (joins, polls, leaving) and for shopping fans. */
  roomConnections: number
  shopConnections: number
  /** Share of fans who ask for best available (the others pick seats on a section's map). */
  bestShare: number
  /** Share of the best-available fans who name a section. */
  sectionShare: number
  noSingleSeatGaps: boolean
  /** QUEUE_ACTIVE_TTL of the service: admission time = activeUntil − this. */
  activeTtlMs: number
  out: string
}

/** Every request kind of a fan; the ones after `poll` are an admitted fan's steps. */
export const ARENA_STEPS = ['join', 'poll', 'leave', 'sections', 'seats', 'hold', 'best', 'charge', 'pay', 'cancel'] as const
export type ArenaStep = typeof ARENA_STEPS[number]
export const SHOP_STEPS: ArenaStep[] = ['sections', 'seats', 'hold', 'best', 'charge', 'pay']
/**
 * Fan-level times, ms: join reply → told ACTIVE (`queued`); admission → told (`learnt`: how late the fan learnt it);
 * told ACTIVE → paid (`journey`); a poll's send after it was due (`late`: the generator keeping its schedule); and how
 * long requests waited for a socket of their pool (`roomWait`, `shopWait`: the generator's own queue).
 */
export const FAN_TIMES = ['queued', 'learnt', 'journey', 'late', 'roomWait', 'shopWait'] as const
export type FanTime = typeof FAN_TIMES[number]

/** Replies that are part of a normal sale, not errors. */
export const EXPECTED: Record<ArenaStep, string[]> = {
  join: ['200', '201', '409 SOLD_OUT'],
  poll: ['200'],
  leave: ['204'],
  sections: ['200'],
  seats: ['200'],
  hold: ['201', '409 SEAT_UNAVAILABLE', '409 SINGLE_SEAT_GAP'],
  best: ['201', '409 SEAT_UNAVAILABLE'],
  charge: ['200'],
  pay: ['200'],
  cancel: ['200']
}

export interface FanWorkerProgress { type: 'progress', joined: number, waiting: number, shopping: number, finished: number, admitted: number, orders: number, tickets: number, polls: number, requests: number, errors: number, serverErrors: number, queued: number }
export interface FanWorkerDone { type: 'done', file: string }
export type ParentMessage = { type: 'start', startAt: number } | { type: 'soldout' } | { type: 'stop' }

/** What a worker writes at the end (latency samples go to `<out>.<name>.lat`, float64 ms). */
export interface FanWorkerResult {
  fans: number
  joined: number
  admitted: number
  orders: number
  tickets: number
  outcomes: Record<ArenaStep, Record<string, number>>
  errors: Record<string, number>
  serverErrors: number
  byFan: Record<string, number>
  /** Per 250 ms since the start: tickets bought, fans told ACTIVE, joins answered, requests sent. */
  timeline: { tickets: number[], admissions: number[], joins: number[], requests: number[] }
  /** Orders by size and by how they were chosen. */
  orderSizes: Record<string, number>
  orderKinds: Record<string, number>
  polls: { total: number, byAdmitted: number }
  /** Pay requests handed to a socket (answered or not). */
  paysSent: number
  cpuMs: number
  lastJoinAt: number
}
