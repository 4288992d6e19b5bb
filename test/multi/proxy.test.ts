// Real nginx in front of a real instance with TRUST_PROXY=1 (issue 9 item 4): a spoofed X-Forwarded-For changes neither rate limit nor log.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, CLUSTER_SECRET } from '../support/http-client.js'
import { startInstance, type Instance } from '../support/instances.js'
import { findNginx, startNginx, type Nginx } from '../support/nginx.js'
import { waitUntil } from '../support/ports.js'

describe.skipIf(findNginx() === null)('behind the shipped nginx with TRUST_PROXY=1', () => {
  let app: Instance
  let nginx: Nginx | null
  beforeAll(async () => {
    app = await startInstance('proxied', { DATABASE_URL: 'sqlite::memory:', JWT_SECRET: CLUSTER_SECRET, TRUST_PROXY: '1', RATE_LIMIT_PER_MINUTE: '4', LOG_LEVEL: 'info' }, { waitFor: '/health' })
    nginx = await startNginx([app.port])
  }, 60_000)
  afterAll(async () => {
    await nginx?.stop()
    await app?.kill()
  })

  it('spoofed X-Forwarded-For entries neither reset the rate limit nor show up as the client address in the log', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const r = await call(nginx!.url, 'GET', '/concerts', { headers: { 'x-forwarded-for': `198.51.100.${i + 1}`, 'x-request-id': `spoof-${i}` } })
      statuses.push(r.status)
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429])
    // Probes through nginx stay unlimited (the allow-list compares paths).
    expect((await call(nginx!.url, 'GET', '/health?from=nginx')).status).toBe(200)

    await waitUntil(async () => app.output().includes('"reqId":"spoof-5"'), 5000, () => 'the instance did not log the requests')
    const logged = app.output().split('\n').filter(l => l.includes('"msg":"incoming request"') && l.includes('"reqId":"spoof-'))
      .map(l => (JSON.parse(l) as { req: { remoteAddress: string } }).req.remoteAddress)
    expect(logged).toHaveLength(6)
    // The test itself is the client, on 127.0.0.1: that is what nginx appended, and what the instance believes.
    expect(new Set(logged)).toEqual(new Set(['127.0.0.1']))
  })
})
