// Turning results into the printed tables and the target verdicts.

export function table (headers: string[], rows: Array<Array<string | number>>, alignLeft = 1): string {
  const cells = [headers, ...rows.map(r => r.map(String))]
  const widths = headers.map((_, i) => Math.max(...cells.map(r => (r[i] ?? '').length)))
  const fmt = (r: string[]): string => r.map((c, i) => i < alignLeft ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ').trimEnd()
  return [fmt(headers), widths.map(w => '-'.repeat(w)).join('  '), ...cells.slice(1).map(fmt)].join('\n')
}

export const num = (x: number): string => Math.round(x).toLocaleString('en-US')
export const ms = (x: number | null | undefined): string => x === null || x === undefined ? '–' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US')
export const pct = (x: number | null): string => x === null ? '–' : `${Math.round(x * 100)}%`

export interface Target { mode: string, target: string, value: string, met: boolean }
