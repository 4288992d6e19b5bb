// The first load of a page, the same everywhere: the data, or the page's heading with the error and "Try again".

import { errorBox, replaceChildren, retryButton, type Child } from './dom'
import { render, type ViewContext } from './router'

export interface LoadOptions {
  /** More buttons beside "Try again" (e.g. back to the concerts). */
  actions?: Child[]
  /** Takes over an error it knows better (a lapsed queue token, an outage with a cached copy); true when it did. */
  handle?: (error: unknown) => boolean
}

/** Runs load; undefined means the view should stop (it was left, or the error is already on screen). */
export async function loadPage<T> (ctx: ViewContext, heading: HTMLElement, load: () => Promise<T>, options: LoadOptions = {}): Promise<T | undefined> {
  try {
    const value = await load()
    return ctx.signal.aborted ? undefined : value
  } catch (error) {
    if (ctx.signal.aborted) return undefined
    if (options.handle?.(error)) return undefined
    replaceChildren(ctx.root, heading, errorBox(error, retryButton(render), ...(options.actions ?? [])))
    return undefined
  }
}
