// Unit: request URLs are logged without the values of token parameters.

import { describe, expect, it } from 'vitest'
import { redactUrl } from '../../src/http/logging.js'

describe('redactUrl', () => {
  it('replaces the value of access_token and queue_token, keeping every other parameter and the path', () => {
    expect(redactUrl('/concerts/2026-12-24/seats/events?section=A&access_token=eyJ.a.b&queue_token=q%2Bt&x=1'))
      .toBe('/concerts/2026-12-24/seats/events?section=A&access_token=[redacted]&queue_token=[redacted]&x=1')
  })

  it('catches a percent-encoded or repeated name, and leaves a URL without a query alone', () => {
    expect(redactUrl('/a?access%5Ftoken=secret&access_token=one&access_token=two')).toBe('/a?access%5Ftoken=[redacted]&access_token=[redacted]&access_token=[redacted]')
    expect(redactUrl('/a?queue_token')).toBe('/a?queue_token=[redacted]')
    expect(redactUrl('/health')).toBe('/health')
    expect(redactUrl('/a?bad=%E0%A4%A&tokenish=1')).toBe('/a?bad=%E0%A4%A&tokenish=1')
  })
})
