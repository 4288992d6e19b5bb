// Hash routes (#/seats/1/2026-12-24): the server only serves index.html, so no path can collide with an API route.

import { replaceChildren, errorBox, h, retryButton } from './dom'
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

export function route (pattern: string, view: View, options: { public?: boolean } = {}): void {
  routes.push({ pattern, view, public: options.public })
}

export function onRender (listener: () => void): void { afterRender = listener }

export function currentPath (): string {
  const hash = location.hash.replace(/^#/, '')
  return hash === '' ? '/' : hash
}

export function navigate (path: string): void {
  if (currentPath() === path) void render()
  else location.hash = `#${path}`
}

function match (path: string): { route: Route, params: Record<string, string> } | null {
  const parts = path.split('/').filter(Boolean)
  for (const candidate of routes) {
    const want = candidate.pattern.split('/').filter(Boolean)
    if (want.length !== parts.length) continue
    const params: Record<string, string> = {}
    const ok = want.every((segment, i) => {
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = decodeURIComponent(parts[i])
        return true
      }
      return segment === parts[i]
    })
    if (ok) return { route: candidate, params }
  }
  return null
}

/** Shows the view for the current hash, ending the previous one first. */
export async function render (): Promise<void> {
  controller?.abort()
  const mine = new AbortController()
  controller = mine
  const root = document.getElementById('app') as HTMLElement
  const path = currentPath()
  const found = match(path)
  afterRender?.()

  if (!found) {
    replaceChildren(root, h('h1', { tabindex: '-1', class: 'page-title' }, t('notFound.title')), h('p', null, h('a', { href: '#/concerts' }, t('notFound.back'))))
    return
  }
  if (!found.route.public && !session()) {
    sessionStorage.setItem('cr.next', path)
    navigate('/signin')
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
  // Move focus to the new page's heading so keyboard and screen-reader users start there; not on first load.
  if (firstRender) { firstRender = false; return }
  root.querySelector<HTMLElement>('h1')?.focus({ preventScroll: false })
}

export function startRouter (): void {
  window.addEventListener('hashchange', () => { void render() })
  void render()
}
