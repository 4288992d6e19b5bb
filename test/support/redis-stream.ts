// Reading the events stream the outbox relay writes, as a consumer would: entries in stream order.

import type { RedisClient } from '../../src/adapters/redis/redis.js'

export interface StreamEntry { entryId: string, id: string, type: string, occurredAt: string, data: Record<string, unknown> }

/** Every entry of `stream`, oldest first, with its fields parsed (data from JSON). */
export async function readStream (redis: RedisClient, stream: string): Promise<StreamEntry[]> {
  const raw = await redis.xrange(stream, '-', '+')
  return raw.map(([entryId, fields]) => {
    const f: Record<string, string> = {}
    for (let i = 0; i < fields.length; i += 2) f[fields[i]] = fields[i + 1]
    return { entryId, id: f.id, type: f.type, occurredAt: f.occurredAt, data: JSON.parse(f.data) as Record<string, unknown> }
  })
}
