// Points: the balance, charging it (one Idempotency-Key per click) and the history of charges, payments and refunds.

import { api, newIdempotencyKey, type PointItem } from '../api'
import { setBalance } from '../balance'
import { busy, errorBox, h, loading, noticeBox, pageTitle, replaceChildren } from '../dom'
import { formatDateTime, t, won } from '../i18n'
import { loadPage } from '../load'
import type { ViewContext } from '../router'

const PRESETS = [10_000, 50_000, 100_000, 200_000]

export async function pointsView (ctx: ViewContext): Promise<void> {
  const { root, signal } = ctx
  const heading = pageTitle(t('points.title'))
  replaceChildren(root, heading, loading())
  const loaded = await loadPage(ctx, heading, () => Promise.all([api.balance(signal), api.history(null, signal)]))
  if (!loaded) return
  const [{ balance }, firstPage] = loaded
  setBalance(balance)

  const balanceText = h('p', { class: 'balance-figure', 'data-testid': 'points-balance' }, won(balance))
  const feedback = h('div', { class: 'feedback', 'data-testid': 'points-feedback' })
  const amount = h('input', { id: 'charge-amount', name: 'amount', type: 'number', inputmode: 'numeric', min: '1', step: '1', required: true, 'aria-describedby': 'charge-help' })
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('points.submit'))

  const presets = h('div', { class: 'presets', role: 'group', 'aria-label': t('points.presets') }, PRESETS.map(value =>
    h('button', { type: 'button', class: 'btn btn-ghost btn-small', onClick: () => { amount.value = String((Number(amount.value) || 0) + value); amount.focus() } },
      t('points.preset', { amount: won(value) }))))

  const form = h('form', {
    class: 'form charge-form',
    novalidate: true,
    onSubmit: (event: Event) => {
      event.preventDefault()
      const value = Number(amount.value)
      if (!/^\d+$/.test(amount.value.trim()) || !Number.isSafeInteger(value) || value < 1) {
        amount.setAttribute('aria-invalid', 'true')
        replaceChildren(feedback, noticeBox('warning', t('points.invalid')))
        amount.focus()
        return
      }
      amount.removeAttribute('aria-invalid')
      void busy(submit, t('points.charging'), async () => {
        try {
          const result = await api.charge(value, newIdempotencyKey())
          setBalance(result.balance)
          balanceText.textContent = won(result.balance)
          amount.value = ''
          replaceChildren(feedback, noticeBox('success', t('points.charged', { amount: won(value), balance: won(result.balance) })))
          await reloadHistory()
        } catch (error) {
          replaceChildren(feedback, errorBox(error))
        }
      })
    }
  },
  h('div', { class: 'field' },
    h('label', { for: 'charge-amount' }, t('points.amount')),
    amount,
    h('p', { class: 'help', id: 'charge-help' }, t('points.amountHelp'))
  ),
  presets,
  submit
  )

  // ---- history --------------------------------------------------------------------------------------
  const rows = h('tbody')
  const more = h('button', { type: 'button', class: 'btn btn-ghost' }, t('points.more'))
  const historyBox = h('div', { class: 'history' })
  let cursor: string | null = null

  const row = (item: PointItem) => {
    const sign = item.type === 'USE' ? '−' : '+'
    // data-label: on a phone each row is a small card, and the cells name themselves (style.css).
    return h('tr', { class: `history-${item.type.toLowerCase()}` },
      h('td', { class: 'when' }, formatDateTime(item.createdAt)),
      h('td', { class: 'type' }, h('span', { class: `badge badge-${item.type.toLowerCase()}` }, t(`points.type.${item.type}` as const))),
      h('td', { class: 'num amount', 'data-label': t('points.col.amount') }, `${sign}${won(Math.abs(item.amount))}`),
      h('td', { class: 'num after', 'data-label': t('points.col.balance') }, won(item.balanceAfter))
    )
  }
  const showPage = (page: { items: PointItem[], nextCursor: string | null }, reset: boolean) => {
    if (reset) rows.replaceChildren()
    for (const item of page.items) rows.appendChild(row(item))
    cursor = page.nextCursor
    more.hidden = cursor === null
    if (rows.childElementCount === 0) replaceChildren(historyBox, h('p', { class: 'muted' }, t('points.historyEmpty')))
    else if (!historyBox.contains(rows)) {
      replaceChildren(historyBox,
        h('div', { class: 'table-scroll' },
          h('table', { class: 'table' },
            h('thead', null, h('tr', null,
              h('th', { scope: 'col' }, t('points.col.when')),
              h('th', { scope: 'col' }, t('points.col.type')),
              h('th', { scope: 'col', class: 'num' }, t('points.col.amount')),
              h('th', { scope: 'col', class: 'num' }, t('points.col.balance')))),
            rows)),
        more)
    }
  }
  const reloadHistory = async () => { showPage(await api.history(null, signal), true) }
  more.addEventListener('click', () => {
    void busy(more, t('common.loading'), async () => {
      try { showPage(await api.history(cursor, signal), false) } catch (error) { replaceChildren(feedback, errorBox(error)) }
    })
  })

  replaceChildren(root,
    heading,
    h('div', { class: 'points-layout' },
      h('section', { class: 'card', 'aria-labelledby': 'balance-title' },
        h('h2', { id: 'balance-title', class: 'panel-title' }, t('points.balance')),
        balanceText,
        h('h2', { class: 'panel-title' }, t('points.charge')),
        feedback,
        form
      ),
      h('section', { class: 'card', 'aria-labelledby': 'history-title' },
        h('h2', { id: 'history-title', class: 'panel-title' }, t('points.history')),
        historyBox
      )
    )
  )
  showPage(firstPage, true)
}
