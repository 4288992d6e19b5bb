// Number formats and the tables of the summary (Markdown, padded so they read as well in a terminal).

/** A Markdown table; columns from `alignLeft` on are right-aligned (numbers). */
export function table (headers: string[], rows: Array<Array<string | number>>, alignLeft = 1): string {
  const cells = [headers, ...rows.map(r => r.map(String))]
  const widths = headers.map((_, i) => Math.max(3, ...cells.map(r => (r[i] ?? '').length)))
  const fmt = (r: string[]): string => `| ${r.map((c, i) => i < alignLeft ? c.padEnd(widths[i]) : c.padStart(widths[i])).join(' | ')} |`
  const rule = `| ${widths.map((w, i) => i < alignLeft ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`).join(' | ')} |`
  return [fmt(headers), rule, ...cells.slice(1).map(fmt)].join('\n')
}

export const num = (x: number): string => Math.round(x).toLocaleString('en-US')
export const ms = (x: number | null | undefined): string => x === null || x === undefined ? '–' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US')
export const pct = (x: number | null): string => x === null ? '–' : `${Math.round(x * 100)}%`
/** CPU ms per request: three significant digits are what /proc's 10 ms ticks over a run support. */
export const cpuMs = (x: number | null | undefined): string => x === null || x === undefined ? '–' : x >= 1 ? x.toFixed(2) : x.toPrecision(2)
