// A lean HTTP/1.1 client for the arena's fan processes: keep-alive sockets to one port, one request in flight
// per socket, requests rendered to bytes once, replies parsed only as far as the fans need (status, ETag, body).
// node:http's client costs several times more CPU per request; 100,000 simulated fans on two cores cannot
// afford it (the generator must not be what bounds the service).

import net from 'node:net'

export interface WireReply {
  /** 0 when the request failed on the network (`error` says how). */
  status: number
  body: Buffer
  etag: string | undefined
  /** Send to the last byte of the reply. */
  ms: number
  /** Time the request waited for a free socket of its pool before it was sent. */
  waitedMs: number
  error?: string
}

interface Pending { raw: Buffer, resolve: (r: WireReply) => void, queuedAt: number, sentAt: number, resent: boolean }

const CRLF2 = Buffer.from('\r\n\r\n')

/** One keep-alive socket: writes a request, parses its reply, then takes the next from the pool. */
class Conn {
  private socket: net.Socket | null = null
  private buf: Buffer = Buffer.alloc(0)
  private current: Pending | null = null
  // The reply being read: its head once parsed, and how much body is still due.
  private head: { status: number, etag: string | undefined, length: number, chunked: boolean, close: boolean, bodyStart: number } | null = null
  private readonly pool: WirePool
  /** The socket has answered before: a failure with no byte of the reply is the server closing an idle keep-alive. */
  private reused = false
  private gotBytes = false

  constructor (pool: WirePool) { this.pool = pool }

  get busy (): boolean { return this.current !== null }

  send (p: Pending): void {
    this.current = p
    this.gotBytes = false
    if (this.socket === null || this.socket.destroyed) this.connect()
    if (p.sentAt === 0) p.sentAt = performance.now()
    this.socket!.write(p.raw)
  }

  private connect (): void {
    const s = net.connect({ host: this.pool.host, port: this.pool.port, noDelay: true })
    s.setKeepAlive(true)
    // Events of a socket this connection has already replaced are ignored.
    s.on('data', (chunk: Buffer) => { if (this.socket === s) this.onData(chunk) })
    s.on('error', (err: NodeJS.ErrnoException) => { if (this.socket === s) this.fail(err.code ?? err.message) })
    s.on('close', () => { if (this.socket === s) this.fail('ECONNRESET') })
    this.socket = s
    this.reused = false
    this.buf = Buffer.alloc(0)
    this.head = null
  }

  private fail (why: string): void {
    this.socket?.destroy()
    this.socket = null
    const p = this.current
    if (p === null) return
    if (this.reused && !this.gotBytes && !p.resent) {
      // The server closed the idle socket as the request went out: it never saw it; send it once more, freshly connected.
      p.resent = true
      this.send(p)
      return
    }
    this.current = null
    p.resolve({ status: 0, body: Buffer.alloc(0), etag: undefined, ms: performance.now() - p.sentAt, waitedMs: p.sentAt - p.queuedAt, error: why })
    this.pool.release(this)
  }

  private onData (chunk: Buffer): void {
    this.gotBytes = true
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
    if (this.current === null) return
    if (this.head === null) {
      const end = this.buf.indexOf(CRLF2)
      if (end < 0) return
      const text = this.buf.subarray(0, end).toString('latin1')
      const status = Number(text.slice(9, 12))
      let length = 0; let chunked = false; let close = false; let etag: string | undefined
      for (const line of text.split('\r\n').slice(1)) {
        const c = line.indexOf(':')
        const name = line.slice(0, c).toLowerCase()
        if (name === 'content-length') length = Number(line.slice(c + 1))
        else if (name === 'transfer-encoding') chunked = /chunked/i.test(line)
        else if (name === 'connection') close = /close/i.test(line)
        else if (name === 'etag') etag = line.slice(c + 1).trim()
      }
      this.head = { status, etag, length: status === 304 || status === 204 ? 0 : length, chunked, close, bodyStart: end + 4 }
    }
    const h = this.head
    let body: Buffer
    let used: number
    if (h.chunked) {
      const parsed = dechunk(this.buf, h.bodyStart)
      if (parsed === null) return
      body = parsed.body
      used = parsed.end
    } else {
      if (this.buf.length < h.bodyStart + h.length) return
      body = this.buf.subarray(h.bodyStart, h.bodyStart + h.length)
      used = h.bodyStart + h.length
    }
    const p = this.current
    this.current = null
    this.head = null
    this.buf = this.buf.subarray(used)
    this.reused = true
    if (h.close) { this.socket?.destroy(); this.socket = null }
    p.resolve({ status: h.status, body, etag: h.etag, ms: performance.now() - p.sentAt, waitedMs: p.sentAt - p.queuedAt })
    this.pool.release(this)
  }

  close (): void {
    this.socket?.destroy()
    this.socket = null
    const p = this.current
    this.current = null
    p?.resolve({ status: 0, body: Buffer.alloc(0), etag: undefined, ms: performance.now() - p.sentAt, waitedMs: p.sentAt - p.queuedAt, error: 'CLOSED' })
  }
}

/** A chunked body from `start`, or null while incomplete (trailers are not expected from this service). */
function dechunk (buf: Buffer, start: number): { body: Buffer, end: number } | null {
  const parts: Buffer[] = []
  let pos = start
  for (;;) {
    const nl = buf.indexOf('\r\n', pos)
    if (nl < 0) return null
    const size = parseInt(buf.subarray(pos, nl).toString('latin1'), 16)
    if (size === 0) return buf.length >= nl + 4 ? { body: Buffer.concat(parts), end: nl + 4 } : null
    if (buf.length < nl + 2 + size + 2) return null
    parts.push(buf.subarray(nl + 2, nl + 2 + size))
    pos = nl + 2 + size + 2
  }
}

/**
 * Up to `size` sockets to one port; requests beyond them wait in two FIFO queues served in turn, `urgent` first:
 * a waiting fan's heartbeat does not queue behind a whole storm of new joins in the generator, nor do the joins
 * starve behind an endless stream of heartbeats (a server would see both).
 */
export class WirePool {
  readonly host: string
  readonly port: number
  private readonly idle: Conn[] = []
  private readonly conns: Conn[] = []
  private readonly urgent: Pending[] = []
  private readonly normal: Pending[] = []
  private heads = { urgent: 0, normal: 0 }
  private readonly size: number
  private closed = false
  private urgentTurn = false

  constructor (port: number, size: number, host = '127.0.0.1') {
    this.host = host
    this.port = port
    this.size = size
  }

  get inFlight (): number { return this.conns.filter(c => c.busy).length }
  get queued (): number { return this.urgent.length - this.heads.urgent + this.normal.length - this.heads.normal }

  request (raw: Buffer, urgent = false): Promise<WireReply> {
    if (this.closed) return Promise.resolve({ status: 0, body: Buffer.alloc(0), etag: undefined, ms: 0, waitedMs: 0, error: 'CLOSED' })
    return new Promise((resolve) => {
      const p: Pending = { raw, resolve, queuedAt: performance.now(), sentAt: 0, resent: false }
      const conn = this.idle.pop() ?? (this.conns.length < this.size ? this.open() : undefined)
      if (conn) conn.send(p)
      else (urgent ? this.urgent : this.normal).push(p)
    })
  }

  private open (): Conn {
    const c = new Conn(this)
    this.conns.push(c)
    return c
  }

  /** A socket is free again: it takes the next waiting request (the queues in turn), or waits idle. */
  release (c: Conn): void {
    this.urgentTurn = !this.urgentTurn
    const next = this.urgentTurn ? this.take('urgent') ?? this.take('normal') : this.take('normal') ?? this.take('urgent')
    if (next) c.send(next)
    else this.idle.push(c)
  }

  private take (q: 'urgent' | 'normal'): Pending | undefined {
    const list = this[q]
    if (this.heads[q] >= list.length) return undefined
    const p = list[this.heads[q]++]
    // Compact now and then instead of shifting on every take (the queue may hold tens of thousands).
    if (this.heads[q] > 4096 && this.heads[q] * 2 > list.length) { list.splice(0, this.heads[q]); this.heads[q] = 0 }
    return p
  }

  close (): void {
    this.closed = true
    for (const c of this.conns) c.close()
    for (const q of ['urgent', 'normal'] as const) {
      for (const p of this[q].slice(this.heads[q])) p.resolve({ status: 0, body: Buffer.alloc(0), etag: undefined, ms: 0, waitedMs: performance.now() - p.queuedAt, error: 'CLOSED' })
      this[q].length = 0
      this.heads[q] = 0
    }
  }
}
