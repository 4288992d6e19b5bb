// Server-sent events: open a stream on a hijacked reply, write events, keep it alive, clean up on close.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

// Keyed by the HTTP server, which every encapsulation context of one app shares.
const openStreams = new WeakMap<object, Set<SseStream>>()

/** Ends every open stream of an app (at shutdown: EventSource clients reconnect, through the load balancer, elsewhere). */
export function closeAllSse (app: FastifyInstance): void {
  for (const stream of [...(openStreams.get(app.server) ?? [])]) stream.close()
}

export interface SseStream {
  send (data: unknown, event?: string): void
  close (): void
  onClose (fn: () => void): void
}

export function openSse (request: FastifyRequest, reply: FastifyReply, keepAliveMs = 15_000): SseStream {
  reply.hijack()
  const res = reply.raw
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no', // nginx: do not buffer the stream
    'x-request-id': request.id
  })
  res.write('retry: 2000\n\n')
  const closers: Array<() => void> = []
  let closed = false
  const keepAlive = setInterval(() => { res.write(': keep-alive\n\n') }, keepAliveMs)
  const finish = (): void => {
    if (closed) return
    closed = true
    clearInterval(keepAlive)
    for (const fn of closers) fn()
  }
  request.raw.on('close', finish)
  const streams = openStreams.get(request.server.server) ?? new Set<SseStream>()
  openStreams.set(request.server.server, streams)
  const stream: SseStream = {
    send (data, event) {
      if (closed) return
      res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`)
    },
    close () { finish(); res.end() },
    onClose (fn) { if (closed) fn(); else closers.push(fn) }
  }
  streams.add(stream)
  closers.push(() => { streams.delete(stream) })
  return stream
}
