// Hash routes (#/seats/1/2026-12-24) on the History API: every screen is a history entry, Back and Forward move between them.
// Hash URLs because the service serves only index.html at /, so no app path can collide with an API route on reload.

import { errorBox, h, replaceChildren, retryButton } from './dom'
import { session } from './session'
import { t } from './i18n'

export interface ViewContext {
  root: HTMLElement
  params: Record<string, string>
  /** Aborted when the user leaves the view: close streams, stop timers, drop late responses. */
  signal: AbortSignal
}

export type View = (ctx: ViewContext) => void | Promise<void>

interface Route { pattern: string, view: View, public?: boolean }

const routes: Route[] = []
let controller: AbortController | null = null
let afterRender: (() => void) | null = null
let renderedPath: string | null = null

export function route (pattern: string, view: View, options: { public?: boolean } = {}): void {
  routes.push({ pattern, view, public: options.public })
}

export function onRender (listener: () => void): void { afterRender = listener }

export function currentPath (): string {
  const hash = location.hash.replace(/^#/, '')
  return hash === '' ? '/' : hash
}

/**
 * Shows the screen at path. A fan's own step is a new history entry; `replace` is for the app moving on by itself
 * (the waiting room admitting, a redirect, the hold becoming a ticket), so Back never lands on a screen that
 * would only forward again.
 */
export function navigate (path: string, options: { replace?: boolean } = {}): void {
  if (path !== currentPath()) {
    if (options.replace) history.replaceState(null, '', `#${path}`)
    else history.pushState(null, '', `#${path}`)
    if (!options.replace) window.scrollTo(0, 0)
  }
  void render()
}

function match (path: string): { route: Route, params: Record<string, string> } | null {
  const parts = path.split('/').filter(Boolean)
  for (const candidate of routes) {
    const want = candidate.pattern.split('/').filter(Boolean)
    if (want.length !== parts.length) continue
    const params: Record<string, string> = {}
    const ok = want.every((segment, i) => {
      if (segment.startsWith(':')) {
        try { params[segment.slice(1)] = decodeURIComponent(parts[i]) } catch { return false }
        return true
      }
      return segment === parts[i]
    })
    if (ok) return { route: candidate, params }
  }
  return null
}

/** Shows the view for the current URL, ending the previous one first. */
export async function render (): Promise<void> {
  controller?.abort()
  const mine = new AbortController()
  controller = mine
  const root = document.getElementById('app') as HTMLElement
  const path = currentPath()
  renderedPath = path
  const found = match(path)
  afterRender?.()

  if (!found) {
    replaceChildren(root, h('h1', { tabindex: '-1', class: 'page-title' }, t('notFound.title')), h('p', null, h('a', { href: '#/concerts' }, t('notFound.back'))))
    return
  }
  if (!found.route.public && !session()) {
    sessionStorage.setItem('cr.next', path)
    navigate('/signin', { replace: true })
    return
  }
  replaceChildren(root)
  try {
    await found.route.view({ root, params: found.params, signal: mine.signal })
  } catch (error) {
    if (mine.signal.aborted) return
    replaceChildren(root, errorBox(error, retryButton(render)))
  }
  if (!mine.signal.aborted) focusHeading(root)
}

let firstRender = true
function focusHeading (root: HTMLElement): void {
  // Move focus to the new page's heading so keyboard and screen-reader users start there; not on first load,
  // and not when the view put focus somewhere on purpose (the sign-in box).
  if (firstRender) { firstRender = false; return }
  const active = document.activeElement
  if (active && active !== document.body && root.contains(active)) return
  root.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true })
}

export function startRouter (): void {
  // Back/Forward (popstate), links to #/… and a hash typed into the address bar (hashchange) all end here;
  // the check keeps one change from rendering twice when a browser fires both events.
  const changed = () => { if (currentPath() !== renderedPath) void render() }
  window.addEventListener('popstate', changed)
  window.addEventListener('hashchange', changed)
  void render()
}
