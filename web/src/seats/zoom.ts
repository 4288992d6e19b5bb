// The seat size: − and + over a few fixed sizes plus "the widest row fits", which follows the map's width.

import { h } from '../dom'
import { t } from '../i18n'

const FIXED = [28, 36, 44, 52]
/** Below this a seat is a coloured dot of an overview: its number is hidden (style.css). */
const TINY = 24
/** Smaller than this is no use even as an overview. */
const SMALLEST = 10

const touchScreen = () => window.matchMedia('(pointer: coarse)').matches

/** The size at which the widest row of grid fits its scroller, from the rendered row label and gaps. */
function fittingSize (scroller: HTMLElement, grid: HTMLElement): number {
  let widest = 0
  for (const row of grid.querySelectorAll('.seat-row')) widest = Math.max(widest, row.querySelectorAll('.seat').length)
  if (widest === 0) return FIXED[FIXED.length - 1]
  const row = grid.querySelector<HTMLElement>('.seat-row')
  const style = row ? getComputedStyle(row) : null
  const gap = style ? parseFloat(style.columnGap) || 0 : 0
  const label = grid.querySelector<HTMLElement>('.row-label')?.offsetWidth ?? 0
  const pad = parseFloat(getComputedStyle(scroller).paddingLeft) + parseFloat(getComputedStyle(scroller).paddingRight)
  // The selected seat grows by 8 % (style.css): keep that inside too.
  const room = scroller.clientWidth - pad - (label > 0 ? label + gap : 0) - gap * (widest - 1) - 4
  return Math.max(SMALLEST, Math.floor(room / widest))
}

export interface Zoom {
  element: HTMLElement
  /** Sizes the seats for the map as laid out now; call it once the map is in the page. */
  measure: () => void
}

/**
 * − and + for the seats of grid inside scroller. On a touch screen seats start at 44 px (a comfortable touch
 * target) and the map pans; with a mouse they start as large as lets the widest row fit (28–52 px). The smallest
 * step always shows a whole row.
 */
export function zoomControls (scroller: HTMLElement, grid: HTMLElement, signal: AbortSignal): Zoom {
  const largest = FIXED[FIXED.length - 1]
  let fit = largest
  let sizes = FIXED
  let size: number | null = null
  const smaller = h('button', { type: 'button', class: 'btn btn-ghost btn-small zoom', 'aria-label': t('seats.zoomOut') }, '−')
  const larger = h('button', { type: 'button', class: 'btn btn-ghost btn-small zoom', 'aria-label': t('seats.zoomIn') }, '+')

  const apply = (px: number) => {
    size = px
    grid.style.setProperty('--seat', `${px}px`)
    grid.classList.toggle('seats-tiny', px < TINY)
    const at = sizes.indexOf(px)
    smaller.disabled = at <= 0
    larger.disabled = at === sizes.length - 1
  }
  const measure = () => {
    if (!grid.isConnected || scroller.clientWidth === 0) return
    const wasFit = size !== null && size === fit
    fit = fittingSize(scroller, grid)
    sizes = fit < largest ? [fit, ...FIXED.filter(s => s > fit)] : FIXED
    let next = size === null
      ? (touchScreen() ? 44 : Math.min(largest, Math.max(FIXED[0], fit)))
      : wasFit ? Math.min(largest, fit) : size
    if (!sizes.includes(next)) next = sizes.find(s => s >= next) ?? largest
    apply(next)
  }
  const step = (by: number) => {
    const at = sizes.indexOf(size ?? 44)
    apply(sizes[Math.min(sizes.length - 1, Math.max(0, at + by))])
  }
  smaller.addEventListener('click', () => step(-1))
  larger.addEventListener('click', () => step(1))
  grid.style.setProperty('--seat', '44px')

  // The map's width changes with the window: the fitting size follows it.
  const observer = new ResizeObserver(() => measure())
  observer.observe(scroller)
  signal.addEventListener('abort', () => observer.disconnect(), { once: true })
  return { element: h('div', { class: 'zoom-controls', role: 'group', 'aria-label': t('seats.zoom') }, smaller, larger), measure }
}
