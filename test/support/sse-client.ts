// A text/event-stream client for tests over a real socket: every event parsed, with a way to wait for one.

/** A live text/event-stream: every `data:` event parsed, with a way to wait for one. */
export interface EventStream {
  status: number
  events: Array<{ event: string, data: unknown }>
  /** Resolves with the first event (already received or to come) that `match` accepts. */
  next (match: (e: { event: string, data: unknown }) => boolean, timeoutMs?: number): Promise<{ event: string, data: unknown }>
  close (): void
}

export async function openEventStream (url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  const controller = new AbortController()
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal })
  const events: EventStream['events'] = []
  const waiters = new Set<() => void>()
  if (res.status === 200 && res.body) {
    const reader = res.body.getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buffer += decoder.decode(value, { stream: true })
          let cut: number
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut)
            buffer = buffer.slice(cut + 2)
            let event = 'message'
            const data: string[] = []
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim()
              else if (line.startsWith('data:')) data.push(line.slice(5).trimStart())
            }
            if (data.length === 0) continue
            events.push({ event, data: JSON.parse(data.join('\n')) })
            for (const w of [...waiters]) w()
          }
        }
      } catch { /* aborted or the server went away */ }
    })()
  }
  return {
    status: res.status,
    events,
    next (match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = events.find(match)
          if (!found) return false
          waiters.delete(check)
          clearTimeout(timer)
          resolve(found)
          return true
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    close () { controller.abort() }
  }
}
