// Server-sent events read with fetch, so the bearer and queue token travel in headers (EventSource cannot send them).

import { apiHeaders, failure, isAbort, type ApiError } from './api'

export interface StreamHandlers<T> {
  onMessage: (data: T) => void
  /** The stream is open (first time, and after every reconnect). */
  onOpen?: () => void
  /** The connection dropped or the server is briefly unavailable: the reader retries by itself. */
  onReconnecting?: () => void
  /** The server answered with a 4xx (token lapsed, say): the reader stops; `error` says why. */
  onRefused?: (error: ApiError) => void
  /** Named events (`event: expired`), each with its JSON data; the stream is closed before the handler runs. */
  final?: Record<string, (data: unknown) => void>
}

export interface StreamOptions {
  queueToken?: string
  /** Attempts after the first failure wait base × 2^n (capped at maxDelayMs), with jitter so a restart is not stormed. */
  maxDelayMs?: number
}

interface SseEvent { event: string, data: string }

/** Splits an event-stream body into events (the WHATWG format: `event:`, `data:`, `retry:`, `:` comments). */
export function createSseParser (onEvent: (event: SseEvent) => void, onRetry: (ms: number) => void): (chunk: string) => void {
  let buffer = ''
  let event = ''
  let data: string[] = []
  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) onEvent({ event: event || 'message', data: data.join('\n') })
      event = ''
      data = []
      return
    }
    if (text.startsWith(':')) return
    const colon = text.indexOf(':')
    const field = colon < 0 ? text : text.slice(0, colon)
    const value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry(Number(value))
  }
  return (chunk: string) => {
    buffer += chunk
    const lines = buffer.split(/\r\n|\r|\n/)
    buffer = lines.pop() ?? ''
    for (const text of lines) line(text)
  }
}

function sleep (ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
  })
}

/** Opens an event stream on path and keeps it open (reconnecting) until signal aborts, the server refuses it or a final event ends it. */
export function openStream<T> (path: string, options: StreamOptions, handlers: StreamHandlers<T>, signal: AbortSignal): void {
  if (signal.aborted) return
  let retryMs = 2000
  let failures = 0
  const maxDelayMs = options.maxDelayMs ?? 15_000
  const pause = () => {
    failures++
    const delay = Math.min(maxDelayMs, retryMs * 2 ** Math.min(failures - 1, 6))
    return sleep(delay * (0.75 + Math.random() * 0.5), signal)
  }

  /** Reads one connection to its end; true when a final event ended the stream for good. */
  const read = async (body: ReadableStream<Uint8Array>): Promise<boolean> => {
    const reader = body.getReader()
    const decoder = new TextDecoder()
    let ended = false
    const parse = createSseParser((message) => {
      if (ended) return
      const final = handlers.final?.[message.event]
      let data: unknown = null
      try { data = JSON.parse(message.data) } catch { /* a keep-alive or a name-only event carries no state */ }
      if (final) {
        ended = true
        void reader.cancel().catch(() => {})
        final(data)
        return
      }
      if (message.event === 'message' && data !== null) handlers.onMessage(data as T)
    }, (ms) => { retryMs = ms })
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done || ended) break
        parse(decoder.decode(value, { stream: true }))
      }
    } catch (error) {
      if (!isAbort(error) && !ended) return false
    }
    return ended
  }

  const run = async () => {
    while (!signal.aborted) {
      let response: Response
      try {
        response = await fetch(path, { headers: apiHeaders({ queueToken: options.queueToken, accept: 'text/event-stream' }), signal, cache: 'no-store' })
      } catch {
        if (signal.aborted) return
        handlers.onReconnecting?.()
        await pause()
        continue
      }
      if (!response.ok || !response.body) {
        // A restart, a proxy's 502/503 or a rate limit is an outage: keep trying. Any other refusal is an answer.
        if (response.status >= 500 || response.status === 429 || response.ok) {
          void response.body?.cancel().catch(() => {})
          handlers.onReconnecting?.()
          await pause()
          continue
        }
        const error = await failure(response)
        if (!signal.aborted) handlers.onRefused?.(error)
        return
      }
      failures = 0
      handlers.onOpen?.()
      if (await read(response.body)) return
      if (signal.aborted) return
      handlers.onReconnecting?.()
      await pause()
    }
  }
  void run()
}
