// EventStream on a Redis Stream: one fenced Lua step per batch (XADD each event, trim by age), safe on a Cluster,
// acknowledged by a replica before the batch counts as delivered.

import type { EventStream } from '../../modules/outbox/event-stream.js'
import { toPublishedEvent } from '../../modules/outbox/outbox.js'
import { ServiceUnavailableError } from '../../shared/errors.js'
import { REDIS_RETRY_AFTER_SECONDS, viaRedis, type RedisClient } from './redis.js'

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

export interface RedisEventStreamOptions {
  /** How long a batch waits for a replica of the stream's master to have it (ms). */
  replicaWaitMs?: number
  /** How often to ask the stream's master how many replicas it has (ms). */
  replicaCheckEveryMs?: number
}

/**
 * Appends outbox events to the stream `name` as entries `{ id, type, occurredAt, data }` (data as JSON).
 * When the stream's master has replicas, a batch counts as appended only once one of them has it (WAIT, in
 * the same pipeline, so on a Cluster it goes to the stream's node): a failover right after an append then
 * keeps it, instead of the relay marking delivered what the promoted replica never received. A batch no
 * replica confirms in time fails as an outage and is appended again in the next round (same ids).
 */
/** Runs a pipeline; any failed command fails it (an outage as 503, a bug as itself). */
async function exec (pipeline: ReturnType<RedisClient['pipeline']>): Promise<unknown[]> {
  const results = await viaRedis(pipeline.exec(), 'the event stream')
  if (!results) throw new ServiceUnavailableError('the event stream is unavailable', REDIS_RETRY_AFTER_SECONDS)
  for (const [err] of results) if (err) await viaRedis(Promise.reject(err), 'the event stream')
  return results.map(([, value]) => value)
}

export function createRedisEventStream (redis: RedisClient, name: string, options: RedisEventStreamOptions = {}): EventStream {
  const fence = fenceKeyOf(name)
  const waitMs = options.replicaWaitMs ?? 1000
  const checkEveryMs = options.replicaCheckEveryMs ?? 30_000
  let replicas = 0
  let checkedAt = -Infinity

  return {
    async append (events, token, trimBefore) {
      if (events.length === 0) return 'appended'
      const args: string[] = [String(token), String(Math.max(0, Math.floor(trimBefore)))]
      for (const e of events) {
        const p = toPublishedEvent(e)
        args.push(p.id, p.type, p.occurredAt, JSON.stringify(p.data))
      }
      if (Date.now() - checkedAt > checkEveryMs) {
        // The pipeline goes to the node that owns the stream's slot (EXISTS names it); INFO then describes that node.
        const [, info] = await exec(redis.pipeline().exists(name).info('replication'))
        replicas = Number(/connected_slaves:(\d+)/.exec(String(info))?.[1] ?? 0)
        checkedAt = Date.now()
      }
      const pipeline = redis.pipeline().eval(APPEND, 2, name, fence, ...args)
      if (replicas > 0) pipeline.call('WAIT', '1', String(waitMs))
      const [result, acked] = await exec(pipeline)
      const appended = result === 1
      if (appended && replicas > 0 && Number(acked) === 0) {
        // Written on the master only: force a fresh look at its replicas before the next try.
        checkedAt = -Infinity
        throw new ServiceUnavailableError(`no replica of the event stream's node confirmed the batch within ${waitMs} ms`, REDIS_RETRY_AFTER_SECONDS)
      }
      return appended ? 'appended' : 'fenced'
    }
  }
}
