// Latency samples and their percentiles, plus counters of outcomes by status and problem code.

export interface LatencySummary { count: number, mean: number, p50: number, p90: number, p99: number, max: number }

/** Keeps every sample (a run has at most a few hundred thousand), so percentiles are exact, not bucketed. */
export class Recorder {
  private buf = new Float64Array(4096)
  private n = 0

  add (ms: number): void {
    if (this.n === this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2)
      bigger.set(this.buf)
      this.buf = bigger
    }
    this.buf[this.n++] = ms
  }

  get count (): number { return this.n }

  /** The samples so far (a copy), e.g. to hand them to another process. */
  samples (): Float64Array { return this.buf.slice(0, this.n) }

  addAll (xs: Float64Array): void { for (const x of xs) this.add(x) }

  summary (): LatencySummary {
    if (this.n === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 }
    const sorted = this.buf.slice(0, this.n).sort()
    let sum = 0
    for (let i = 0; i < this.n; i++) sum += sorted[i]
    // Nearest-rank percentile: the smallest sample with at least p% of the samples at or below it.
    const at = (p: number): number => sorted[Math.min(this.n - 1, Math.max(0, Math.ceil((p / 100) * this.n) - 1))]
    return { count: this.n, mean: round(sum / this.n), p50: round(at(50)), p90: round(at(90)), p99: round(at(99)), max: round(sorted[this.n - 1]) }
  }
}

export const round = (x: number, digits = 2): number => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

/** Counts keyed by a label ("201", "409 SEAT_UNAVAILABLE", "network ECONNRESET"). */
export class Tally {
  readonly counts: Record<string, number> = {}
  add (label: string, n = 1): void { this.counts[label] = (this.counts[label] ?? 0) + n }
  get (label: string): number { return this.counts[label] ?? 0 }
  total (filter: (label: string) => boolean = () => true): number {
    return Object.entries(this.counts).filter(([k]) => filter(k)).reduce((a, [, v]) => a + v, 0)
  }
}

/** "409 SEAT_UNAVAILABLE" for a problem+json body, "201" for a success, "0 ECONNRESET" for a network error. */
export function outcomeLabel (status: number, body: unknown): string {
  if (status >= 200 && status < 300) return String(status)
  const code = body !== null && typeof body === 'object' ? (body as { code?: unknown }).code : undefined
  return typeof code === 'string' ? `${status} ${code}` : String(status)
}
