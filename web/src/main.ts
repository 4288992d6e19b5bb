// Entry point: the header (navigation, balance, language switch) and the routes of the fan's web app.

import './style.css'
import { h, replaceChildren } from './dom'
import { lang, setLang, t, won } from './i18n'
import { onRender, render, route, startRouter, currentPath, navigate } from './router'
import { onSessionChange, session, setSession } from './session'
import { onUnauthenticated } from './api'
import { balanceChanged, onBalance, refreshBalance } from './balance'
import { refreshHolds } from './holds'
import { signInView } from './views/sign-in'
import { concertsView } from './views/concerts'
import { waitingRoomView } from './views/waiting-room'
import { sectionView, showView } from './views/seat-map'
import { holdView } from './views/hold'
import { confirmationView } from './views/confirmation'
import { reservationsView } from './views/reservations'
import { pointsView } from './views/points'
import { reservationView } from './views/reservation'
import { drawView } from './views/draw'
import { icon } from './icons'
import { renderHoldBanner, startHoldBanner } from './hold-banner'

route('/signin', signInView, { public: true })
route('/', () => navigate(session() ? '/concerts' : '/signin', { replace: true }), { public: true })
route('/concerts', concertsView)
route('/queue/:concertId/:date', waitingRoomView)
route('/seats/:concertId/:date', showView)
route('/seats/:concertId/:date/:section', sectionView)
route('/hold/:reservationId', holdView)
route('/done/:reservationId', confirmationView)
route('/reservations', reservationsView)
route('/reservations/:reservationId', reservationView)
route('/points', pointsView)
route('/draw/:concertId', drawView, { public: true })

function renderHeader (): void {
  const header = document.getElementById('site-nav') as HTMLElement
  const user = session()
  const path = currentPath()
  const link = (href: string, label: string, extra?: HTMLElement | false) => {
    const section = href.slice(1)
    const active = path === section || path.startsWith(`${section}/`) || (href === '#/concerts' && /^\/(queue|seats|hold|done)\//.test(path))
    return h('li', null, h('a', { href, 'aria-current': active ? 'page' : null }, label, extra))
  }
  const balanceChip = h('span', { class: 'chip', id: 'balance-chip', hidden: true })
  replaceChildren(header,
    h('a', { class: 'brand', href: user ? '#/concerts' : '#/signin' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '♪'), t('app.title')),
    user && h('nav', { 'aria-label': t('nav.main') },
      h('ul', { class: 'nav-list' },
        link('#/concerts', t('nav.concerts')),
        link('#/reservations', t('nav.reservations')),
        link('#/points', t('nav.points'), balanceChip)
      )
    ),
    h('div', { class: 'header-tools' },
      user && h('span', { class: 'user-name', title: user.userId }, icon('user'), user.userId),
      h('button', {
        type: 'button',
        id: 'lang-switch',
        class: 'btn btn-ghost btn-small',
        lang: lang() === 'en' ? 'ko' : 'en',
        'aria-label': t('lang.switchLabel'),
        onClick: () => {
          setLang(lang() === 'en' ? 'ko' : 'en')
          void render().then(() => document.getElementById('lang-switch')?.focus())
        }
      }, t('lang.switch')),
      user && h('button', { type: 'button', class: 'btn btn-ghost btn-small', onClick: () => { setSession(null); navigate('/signin') } }, t('nav.signOut'))
    )
  )
  showBalance()
}

function showBalance (): void {
  const chip = document.getElementById('balance-chip')
  const amount = balanceChanged()
  if (!chip) return
  if (amount === null) { chip.hidden = true; return }
  chip.hidden = false
  replaceChildren(chip, h('span', { class: 'visually-hidden' }, ` ${t('nav.balance')} `), won(amount))
}

function renderChrome (): void {
  document.documentElement.lang = lang()
  const skip = document.getElementById('skip-link')
  if (skip) skip.textContent = t('app.skip')
  renderHeader()
  renderHoldBanner()
}

// A refused bearer (expired, or signed with another secret before a restart): sign in again, then come back.
// Replace, not push: the screen that failed is the one the fan returns to after signing in.
onUnauthenticated(() => {
  const user = session()
  if (!user) return
  sessionStorage.setItem('cr.next', currentPath())
  sessionStorage.setItem('cr.flash', 'expired')
  sessionStorage.setItem('cr.lastUser', user.userId)
  setSession(null)
  navigate('/signin', { replace: true })
})
// The skip link must not change the hash (that is the router's): it moves focus to the content instead.
document.getElementById('skip-link')?.addEventListener('click', (event) => {
  event.preventDefault()
  const main = document.getElementById('app')
  const target = main?.querySelector<HTMLElement>('h1') ?? main
  target?.focus()
})
onSessionChange(() => { renderHeader(); renderHoldBanner(); if (session()) { void refreshBalance(); void refreshHolds() } })
onBalance(showBalance)
onRender(renderChrome)
if (session()) void refreshBalance()
startHoldBanner()
startRouter()
