// Server-sent events: open a stream on a hijacked reply, write events, keep it alive, clean up on close.

import type { FastifyReply, FastifyRequest } from 'fastify'

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
  return {
    send (data, event) {
      if (closed) return
      res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`)
    },
    close () { finish(); res.end() },
    onClose (fn) { if (closed) fn(); else closers.push(fn) }
  }
}
