// The concert list: each concert's upcoming dates with how many seats are left (kept fresh while open), and the way into its waiting room.

import { serverNow, type Concert, type ShowDate } from '../api'
import { loadCatalog } from '../catalog'
import { h, loading, pageTitle, replaceChildren } from '../dom'
import { formatDate, formatDateTime, formatHourMinute, t } from '../i18n'
import { icon } from '../icons'
import { loadPage } from '../load'
import type { ViewContext } from '../router'

/** How often an open list re-reads availability (a public, cached route; paused while the tab is hidden). */
const REFRESH_MS = 10_000

function dateRow (show: ShowDate, title: string): HTMLElement {
  const soldOut = show.availableSeats === 0
  const ratio = show.totalSeats > 0 ? show.availableSeats / show.totalSeats : 0
  const level = soldOut ? 'none' : ratio < 0.2 ? 'low' : 'ok'
  const fill = h('span')
  fill.style.width = `${Math.round(ratio * 100)}%`
  const bar = h('span', { class: 'bar', 'aria-hidden': 'true' }, fill)
  return h('li', { class: `date-row availability-${level}`, 'data-date': show.date, 'data-concert': show.concertId, 'data-available': String(show.availableSeats) },
    h('div', { class: 'date-main' },
      h('span', { class: 'date-day' }, formatDate(show.date)),
      h('span', { class: 'date-time' }, t('concerts.startsAt', { time: formatHourMinute(show.startsAt) }))
    ),
    h('div', { class: 'date-availability' },
      bar,
      h('span', { class: 'availability-text' }, soldOut ? t('concerts.soldOut') : t('concerts.available', { available: show.availableSeats, total: show.totalSeats }))
    ),
    soldOut
      ? h('span', { class: 'badge badge-sold' }, icon('cross'), t('concerts.soldOut'))
      : h('a', {
        class: 'btn btn-primary',
        href: `#/queue/${encodeURIComponent(show.concertId)}/${show.date}`,
        'aria-label': t('concerts.bookLabel', { title, date: formatDate(show.date) })
      }, t('concerts.book'))
  )
}

/** A concert with a pre-queue: when its sales open (places drawn then) and the page that checks the draw. */
function opening (concert: Concert): HTMLElement | null {
  if (!concert.salesOpenAt) return null
  const time = formatDateTime(concert.salesOpenAt)
  return h('p', { class: 'muted with-icon sales-open', 'data-testid': 'sales-open' }, icon('clock'),
    h('span', null, Date.parse(concert.salesOpenAt) > serverNow() ? t('concerts.opensAt', { time }) : t('concerts.openedAt', { time }), ' ',
      h('a', { href: `#/draw/${encodeURIComponent(concert.id)}` }, t('draw.link'))))
}

export async function concertsView (ctx: ViewContext): Promise<void> {
  const { root, signal } = ctx
  const heading = pageTitle(t('concerts.title'))
  replaceChildren(root, heading, loading())
  const catalog = await loadPage(ctx, heading, () => loadCatalog(0))
  if (!catalog) return

  const rows = new Map<string, HTMLElement>()
  const cards = catalog.concerts.map(concert => {
    const shows = catalog.dates.filter(d => d.concertId === concert.id)
    return h('article', { class: 'card concert-card', 'aria-labelledby': `concert-${concert.id}` },
      h('h2', { id: `concert-${concert.id}` }, concert.title),
      h('p', { class: 'muted with-icon' }, icon('pin'), t('concerts.venue', { venue: concert.venue })),
      opening(concert),
      h('h3', { class: 'visually-hidden' }, t('concerts.dates')),
      shows.length === 0
        ? h('p', { class: 'muted' }, t('concerts.noDates'))
        : h('ul', { class: 'date-list' }, shows.map(show => {
          const row = dateRow(show, concert.title)
          rows.set(`${show.concertId}/${show.date}`, row)
          return row
        }))
    )
  })

  replaceChildren(root,
    heading,
    cards.length === 0 ? h('p', { class: 'muted' }, t('concerts.empty')) : h('div', { class: 'concert-grid' }, cards)
  )

  // Seats go and come back while the list is open: redraw the dates whose availability changed.
  const titles = new Map(catalog.concerts.map(c => [c.id, c.title]))
  const refresh = async () => {
    if (document.visibilityState !== 'visible') return
    try {
      const fresh = await loadCatalog(0)
      if (signal.aborted) return
      for (const show of fresh.dates) {
        const key = `${show.concertId}/${show.date}`
        const row = rows.get(key)
        if (!row || row.dataset.available === String(show.availableSeats)) continue
        const next = dateRow(show, titles.get(show.concertId) ?? '')
        row.replaceWith(next)
        rows.set(key, next)
      }
    } catch {
      // Keep the figures on screen; the next round tries again.
    }
  }
  const timer = setInterval(() => { void refresh() }, REFRESH_MS)
  signal.addEventListener('abort', () => clearInterval(timer), { once: true })
}
