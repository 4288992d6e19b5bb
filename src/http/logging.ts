// The service's pino logger: request lines without tokens (query tokens and token headers redacted at every level).

import type { Writable } from 'node:stream'
import { pino, type Logger } from 'pino'

/** Query parameters that carry credentials (EventSource cannot send headers). */
const TOKEN_PARAMS = new Set(['access_token', 'queue_token'])
const REDACTED = '[redacted]'

/** `url` with the value of every token parameter replaced, however its name was percent-encoded. */
export function redactUrl (url: string): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  const pairs = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=')
    const name = eq < 0 ? pair : pair.slice(0, eq)
    let decoded = name
    try { decoded = decodeURIComponent(name.replace(/\+/g, ' ')) } catch { /* malformed: compare as sent */ }
    return TOKEN_PARAMS.has(decoded) ? `${name}=${REDACTED}` : pair
  })
  return `${url.slice(0, q)}?${pairs.join('&')}`
}

interface LoggedRequest { method?: string, url?: string, host?: string, ip?: string, socket?: { remotePort?: number } }

/** A logger at `level` (to stdout unless `destination` is given) whose request lines carry no credentials. */
export function createAppLogger (level: string, destination?: Writable): Logger {
  const options = {
    level,
    serializers: {
      // Fastify's own request serializer, with the URL redacted.
      req: (req: LoggedRequest) => ({ method: req.method, url: redactUrl(req.url ?? ''), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort })
    },
    // Should anyone log headers, the credentials in them never reach the output.
    redact: {
      paths: ['req.headers.authorization', 'req.headers["queue-token"]', 'req.headers.cookie', 'headers.authorization', 'headers["queue-token"]', 'headers.cookie'],
      censor: REDACTED
    }
  }
  return destination ? pino(options, destination) : pino(options)
}
