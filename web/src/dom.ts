// A tiny DOM toolkit: element builder, messages for API errors, notices and screen-reader announcements.

import { ApiError } from './api'
import { hasMessage, t } from './i18n'

export type Child = Node | string | number | null | undefined | false | Child[]
type AttrValue = string | number | boolean | null | undefined | ((event: Event) => void)
export type Attrs = Record<string, AttrValue>

/** Builds an element: `on*` attributes become listeners, `true` an empty attribute, null/false/undefined nothing. */
export function h<K extends keyof HTMLElementTagNameMap> (tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value)
    else if (name === 'class') el.className = String(value)
    else el.setAttribute(name, value === true ? '' : String(value))
  }
  append(el, children)
  return el
}

function append (parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(parent, child)
    else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)))
  }
}

export function replaceChildren (parent: Element, ...children: Child[]): void {
  parent.replaceChildren()
  append(parent, children)
}

/** The human message for any error thrown by an API call (never the raw problem document). */
export function errorMessage (error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'RATE_LIMITED' && error.retryAfter !== null) return t('error.RATE_LIMITED_AFTER', { seconds: error.retryAfter })
    const key = `error.${error.code}`
    if (hasMessage(key)) return t(key)
    return error.status >= 500 ? t('error.SERVER') : t('error.UNKNOWN')
  }
  return t('error.UNKNOWN')
}

/** The "Try again" button of a page whose data failed to load: it renders the page again. */
export function retryButton (render: () => Promise<void> | void): HTMLElement {
  return h('button', { type: 'button', class: 'btn', onClick: () => { void render() } }, t('common.retry'))
}

/** An inline alert for an error: the message, a small line with the code for support, and optional actions. */
export function errorBox (error: unknown, ...actions: Child[]): HTMLElement {
  const code = error instanceof ApiError ? error.code : null
  const requestId = error instanceof ApiError ? error.requestId : null
  return h('div', { class: 'notice notice-error', role: 'alert', 'data-code': code ?? 'UNKNOWN' },
    h('span', { class: 'notice-icon', 'aria-hidden': 'true' }, '!'),
    h('div', { class: 'notice-body' },
      h('p', { class: 'notice-message' }, errorMessage(error)),
      code && h('p', { class: 'notice-meta' }, requestId ? t('common.details', { code, requestId }) : t('common.detailsNoRequest', { code })),
      actions.length > 0 && h('div', { class: 'notice-actions' }, actions)
    )
  )
}

export function noticeBox (kind: 'info' | 'success' | 'warning', message: string, ...actions: Child[]): HTMLElement {
  const icons = { info: 'i', success: '✓', warning: '⚠' }
  return h('div', { class: `notice notice-${kind}`, role: kind === 'warning' ? 'alert' : 'status' },
    h('span', { class: 'notice-icon', 'aria-hidden': 'true' }, icons[kind]),
    h('div', { class: 'notice-body' },
      h('p', { class: 'notice-message' }, message),
      actions.length > 0 && h('div', { class: 'notice-actions' }, actions)
    )
  )
}

/** Says something to screen-reader users without showing it. */
export function announce (message: string): void {
  const region = document.getElementById('announcer')
  if (!region) return
  region.textContent = ''
  // A new text node after clearing makes screen readers repeat identical messages too.
  setTimeout(() => { region.textContent = message }, 50)
}

export function loading (): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('common.loading'))
}

export function pageTitle (text: string): HTMLHeadingElement {
  document.title = `${text} · ${t('app.title')}`
  return h('h1', { tabindex: '-1', class: 'page-title' }, text)
}

/** Marks a button busy while an action runs, so a double click cannot send it twice. */
export async function busy<T> (button: HTMLButtonElement, busyLabel: string, action: () => Promise<T>): Promise<T> {
  const label = button.textContent
  button.disabled = true
  button.setAttribute('aria-busy', 'true')
  button.textContent = busyLabel
  try {
    return await action()
  } finally {
    button.disabled = false
    button.removeAttribute('aria-busy')
    button.textContent = label
  }
}
