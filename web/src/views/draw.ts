// The opening draw of a concert with a pre-queue, checked in the browser: the commitment before the opening, then
// the seed against it, the order of the keys and where the fan's own key stands. A panel, and a page of its own.

import { api, ApiError, type Draw } from '../api'
import { concertOf } from '../catalog'
import { errorBox, h, loading, pageTitle, replaceChildren, type Child } from '../dom'
import { canCheckDraws, checkDraw } from '../draw-check'
import { icon } from '../icons'
import { formatDateTime, t } from '../i18n'
import type { ViewContext } from '../router'
import { queueTokenId } from '../session'

export interface DrawPanel {
  element: HTMLElement
  /** Reads the draw again (the waiting room calls it when sales open) and shows what it finds. */
  refresh: () => Promise<void>
}

function check (ok: boolean, text: string): HTMLElement {
  return h('li', { class: `draw-check ${ok ? 'draw-ok' : 'draw-bad'}`, 'data-ok': String(ok) },
    h('span', { class: 'draw-mark', 'aria-hidden': 'true' }, icon(ok ? 'check' : 'cross')),
    h('span', { class: 'visually-hidden' }, ok ? t('draw.passed') : t('draw.failed')),
    text)
}

/** What the panel says about a draw: the commitment while it has not run, the checks once it has. */
async function describe (draw: Draw, opensAt: string | null, mine: { tokenId: string | null, drawKey?: string | null }): Promise<Child[]> {
  const commitment = h('p', { class: 'draw-hash' }, h('span', { class: 'muted small' }, t('draw.commitment')), ' ', h('code', { class: 'mono', 'data-testid': 'draw-commitment' }, draw.drawCommitment))
  if (draw.seed === null || draw.entries === null) {
    return [
      h('p', null, opensAt ? t('draw.before', { time: formatDateTime(opensAt) }) : t('draw.beforeNoTime')),
      commitment,
      h('p', { class: 'help' }, t('draw.howLater'))
    ]
  }
  if (!canCheckDraws()) return [commitment, h('p', { class: 'notice-message' }, t('draw.noCrypto'))]
  const result = await checkDraw(draw, { tokenId: mine.tokenId, drawKey: mine.drawKey })
  if (!result) return [commitment]
  const items = [
    check(result.commitment, t('draw.checkSeed')),
    check(result.sorted, t('draw.checkSorted', { count: result.count }))
  ]
  if (mine.tokenId) {
    items.push(result.place !== null && result.serverAgrees !== false
      ? check(true, t('draw.checkMine', { place: result.place, count: result.count }))
      : check(false, t('draw.checkMineMissing')))
  }
  return [
    h('p', null, t('draw.after', { time: draw.drawnAt ? formatDateTime(draw.drawnAt) : '' })),
    h('ul', { class: 'plain-list draw-checks', 'data-testid': 'draw-checks' }, items),
    commitment,
    h('p', { class: 'draw-hash' }, h('span', { class: 'muted small' }, t('draw.seed')), ' ', h('code', { class: 'mono', 'data-testid': 'draw-seed' }, draw.seed)),
    result.mine !== null && h('p', { class: 'draw-hash' }, h('span', { class: 'muted small' }, t('draw.yourKey')), ' ', h('code', { class: 'mono', 'data-testid': 'draw-key' }, result.mine)),
    h('p', { class: 'help' }, t('draw.how'))
  ]
}

export function drawPanel (concertId: string, opensAt: string | null, mine: () => { tokenId: string | null, drawKey?: string | null }, signal: AbortSignal): DrawPanel {
  const body = h('div', { class: 'draw-body' }, loading())
  const element = h('section', { class: 'card draw-card', 'aria-labelledby': 'draw-title', 'data-testid': 'draw-panel' },
    h('h2', { id: 'draw-title', class: 'panel-title' }, t('draw.title')), body)
  const refresh = async () => {
    try {
      const draw = await api.draw(concertId, signal)
      const content = await describe(draw, opensAt, mine())
      if (!signal.aborted) replaceChildren(body, content)
    } catch (error) {
      if (signal.aborted) return
      if (error instanceof ApiError && error.status === 404) { replaceChildren(body, h('p', { class: 'muted' }, t('draw.none'))); return }
      replaceChildren(body, errorBox(error))
    }
  }
  void refresh()
  return { element, refresh }
}

/** `#/draw/:concertId`: the draw checked on a page of its own (linked from the seat map and the concerts). */
export async function drawView (ctx: ViewContext): Promise<void> {
  const { root, params, signal } = ctx
  const heading = pageTitle(t('draw.pageTitle'))
  replaceChildren(root, heading, loading())
  const concert = await concertOf(params.concertId)
  if (signal.aborted) return
  const panel = drawPanel(params.concertId, concert?.salesOpenAt ?? null, () => ({ tokenId: queueTokenId(params.concertId) }), signal)
  replaceChildren(root,
    heading,
    concert && h('p', { class: 'subtitle' }, concert.title),
    h('div', { class: 'draw-layout' }, panel.element),
    h('div', { class: 'actions' }, history.length > 1
      ? h('button', { type: 'button', class: 'btn btn-ghost', onClick: () => history.back() }, t('draw.back'))
      : h('a', { class: 'btn btn-ghost', href: '#/concerts' }, t('notFound.back')))
  )
}
