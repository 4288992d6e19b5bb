// The concert list: each concert's upcoming dates with how many seats are left, and a way into its waiting room.

import type { ShowDate } from '../api'
import { loadCatalog } from '../catalog'
import { errorBox, h, loading, pageTitle, replaceChildren, retryButton } from '../dom'
import { formatDate, formatHourMinute, t } from '../i18n'
import { render, type ViewContext } from '../router'
import { icon } from '../icons'

function dateRow (show: ShowDate, title: string): HTMLElement {
  const soldOut = show.availableSeats === 0
  const ratio = show.totalSeats > 0 ? show.availableSeats / show.totalSeats : 0
  const level = soldOut ? 'none' : ratio < 0.2 ? 'low' : 'ok'
  const fill = h('span')
  fill.style.width = `${Math.round(ratio * 100)}%`
  const bar = h('span', { class: 'bar', 'aria-hidden': 'true' }, fill)
  return h('li', { class: `date-row availability-${level}`, 'data-date': show.date },
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

export async function concertsView ({ root, signal }: ViewContext): Promise<void> {
  replaceChildren(root, pageTitle(t('concerts.title')), loading())
  let catalog
  try {
    catalog = await loadCatalog(0)
  } catch (error) {
    if (signal.aborted) return
    replaceChildren(root, pageTitle(t('concerts.title')), errorBox(error, retryButton(render)))
    return
  }
  if (signal.aborted) return

  const cards = catalog.concerts.map(concert => {
    const shows = catalog.dates.filter(d => d.concertId === concert.id)
    return h('article', { class: 'card concert-card', 'aria-labelledby': `concert-${concert.id}` },
      h('h2', { id: `concert-${concert.id}` }, concert.title),
      h('p', { class: 'muted with-icon' }, icon('pin'), t('concerts.venue', { venue: concert.venue })),
      h('h3', { class: 'visually-hidden' }, t('concerts.dates')),
      shows.length === 0
        ? h('p', { class: 'muted' }, t('concerts.noDates'))
        : h('ul', { class: 'date-list' }, shows.map(show => dateRow(show, concert.title)))
    )
  })

  replaceChildren(root,
    pageTitle(t('concerts.title')),
    cards.length === 0 ? h('p', { class: 'muted' }, t('concerts.empty')) : h('div', { class: 'concert-grid' }, cards)
  )
}
