// The OpenAPI document and Swagger UI: generated from the route schemas, complete for clients.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../support/app.js'

describe('API documentation', () => {
  let t: TestApp
  beforeAll(async () => { t = await buildTestApp('sqlite') })
  afterAll(async () => { await t.close() })

  it('serves Swagger UI at /docs', async () => {
    const res = await t.req('GET', '/docs')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/text\/html/)
    expect(res.body).toContain('swagger')
  })

  it('documents every route of the contract with its security, errors and idempotency header', async () => {
    const doc = (await t.req('GET', '/docs/json')).json()
    const expected: Array<[string, string]> = [
      ['post', '/auth/token'], ['get', '/concerts'], ['get', '/concerts/dates'], ['get', '/concerts/{date}/seats'], ['get', '/concerts/{date}/seats/events'],
      ['post', '/queue/tokens'], ['get', '/queue/tokens/current'], ['get', '/queue/tokens/current/events'], ['delete', '/queue/tokens/current'],
      ['post', '/reservations'], ['get', '/reservations/{id}'], ['delete', '/reservations/{id}'], ['get', '/users/{id}/reservations'],
      ['post', '/users/{id}/points/charge'], ['get', '/users/{id}/points'], ['get', '/users/{id}/points/history'], ['post', '/reservations/{id}/pay'],
      ['post', '/admin/concerts'], ['get', '/admin/concerts/{concertId}/sales'], ['get', '/health'], ['get', '/ready'], ['get', '/metrics']
    ]
    for (const [method, path] of expected) expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined()
    const pay = doc.paths['/reservations/{id}/pay'].post
    expect(pay.security).toEqual([{ bearer: [] }])
    expect(Object.keys(pay.responses)).toEqual(expect.arrayContaining(['200', '409', '422']))
    expect(pay.parameters.map((p: { name: string }) => p.name)).toContain('idempotency-key')
    expect(doc.components.securitySchemes.queueToken).toMatchObject({ type: 'apiKey', in: 'header', name: 'Queue-Token' })
  })
})
