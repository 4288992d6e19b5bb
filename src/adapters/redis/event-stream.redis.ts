// EventStream on a Redis Stream: one fenced Lua step per batch (XADD each event, trim by age), safe on a Cluster.

import type { EventStream } from '../../modules/outbox/event-stream.js'
import { toPublishedEvent } from '../../modules/outbox/outbox.js'
import { viaRedis, type RedisClient } from './redis.js'

/**
 * KEYS[1] stream, KEYS[2] fence (same slot); ARGV token, minId, then id, type, occurredAt, data per event.
 * → 0 fenced (a relay with a higher token appended already; nothing written), 1 appended.
 */
const APPEND = `
local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
local token = tonumber(ARGV[1])
if token < fence then return 0 end
if token > fence then redis.call('SET', KEYS[2], ARGV[1]) end
for i = 3, #ARGV, 4 do
  redis.call('XADD', KEYS[1], 'MINID', ARGV[2], '*', 'id', ARGV[i], 'type', ARGV[i + 1], 'occurredAt', ARGV[i + 2], 'data', ARGV[i + 3])
end
return 1`

/**
 * The fence key sits in the stream's hash slot, so the script is one-slot on a Cluster: a stream name with a
 * hash tag lends it that tag; any other name becomes the tag.
 */
export function fenceKeyOf (stream: string): string {
  return /\{[^}]+\}/.test(stream) ? `${stream}:relay-fence` : `{${stream}}:relay-fence`
}

/** Appends outbox events to the stream `name` as entries `{ id, type, occurredAt, data }` (data as JSON). */
export function createRedisEventStream (redis: RedisClient, name: string): EventStream {
  const fence = fenceKeyOf(name)
  return {
    async append (events, token, trimBefore) {
      if (events.length === 0) return 'appended'
      const args: string[] = [String(token), String(Math.max(0, Math.floor(trimBefore)))]
      for (const e of events) {
        const p = toPublishedEvent(e)
        args.push(p.id, p.type, p.occurredAt, JSON.stringify(p.data))
      }
      const appended = await viaRedis(redis.eval(APPEND, 2, name, fence, ...args), 'the event stream')
      return appended === 1 ? 'appended' : 'fenced'
    }
  }
}
