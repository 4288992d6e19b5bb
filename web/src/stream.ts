// Server-sent events with EventSource: JSON messages, reconnect notices, and a hook for when the server refuses the stream.

export interface StreamHandlers<T> {
  onMessage: (data: T) => void
  onOpen?: () => void
  /** The browser is retrying after a dropped connection. */
  onReconnecting?: () => void
  /** The server answered with an error (token lapsed, say): the browser will not retry by itself. */
  onRefused?: () => void
  /** Named events (`event: expired`), each with its JSON data; the stream is closed before the handler runs. */
  final?: Record<string, (data: unknown) => void>
}

/** Opens an event stream that closes itself when signal aborts. */
export function openStream<T> (url: string, handlers: StreamHandlers<T>, signal: AbortSignal): void {
  if (signal.aborted || typeof EventSource === 'undefined') return
  const source = new EventSource(url)
  for (const [name, handler] of Object.entries(handlers.final ?? {})) {
    source.addEventListener(name, (event: MessageEvent<string>) => {
      source.close()
      let data: unknown = null
      try { data = JSON.parse(event.data) } catch { /* the event's name says enough */ }
      handler(data)
    })
  }
  const onData = (event: MessageEvent<string>) => {
    try {
      handlers.onMessage(JSON.parse(event.data) as T)
    } catch {
      // A comment or keep-alive that is not JSON carries no state.
    }
  }
  source.addEventListener('message', onData)
  source.addEventListener('open', () => handlers.onOpen?.())
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) handlers.onRefused?.()
    else handlers.onReconnecting?.()
  })
  signal.addEventListener('abort', () => source.close(), { once: true })
}
