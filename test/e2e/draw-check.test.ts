// The web app's draw check (web/src/draw-check.ts) on its own, in Node's WebCrypto: it passes a fair draw and fails
// a seed that does not match the commitment, keys out of order, and a key the seed does not give.
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { checkDraw } from '../../web/src/draw-check.js'

const keyOf = (seed: Buffer, tokenId: string) => createHmac('sha256', seed).update(tokenId, 'utf8').digest('hex')

function fairDraw (tokenIds: string[]) {
  const seed = randomBytes(32)
  return {
    seed,
    draw: {
      drawCommitment: createHash('sha256').update(seed).digest('hex'),
      seed: seed.toString('hex'),
      drawnAt: new Date().toISOString(),
      entries: tokenIds.map(id => keyOf(seed, id)).sort()
    }
  }
}

describe('the browser\'s check of an opening draw', () => {
  it('passes a fair draw and finds the fan\'s place from their token id alone', async () => {
    const { seed, draw } = fairDraw(['t-1', 't-2', 't-3', 'ü-4'])
    const result = await checkDraw(draw, { tokenId: 'ü-4', drawKey: keyOf(seed, 'ü-4') })
    expect(result).toEqual({
      commitment: true, sorted: true, count: 4, mine: keyOf(seed, 'ü-4'), place: draw.entries.indexOf(keyOf(seed, 'ü-4')) + 1, serverAgrees: true
    })
  })

  it('fails a seed that is not the committed one, keys out of order, and a fan whose key is missing or differs', async () => {
    const { draw } = fairDraw(['t-1', 't-2', 't-3'])
    const other = randomBytes(32).toString('hex')
    expect((await checkDraw({ ...draw, seed: other }))?.commitment).toBe(false)
    expect((await checkDraw({ ...draw, entries: [...draw.entries].reverse() }))?.sorted).toBe(false)
    const stranger = await checkDraw(draw, { tokenId: 't-9', drawKey: 'ab'.repeat(32) })
    expect(stranger?.place).toBeNull()
    expect(stranger?.serverAgrees).toBe(false)
  })

  it('has nothing to check before the draw ran', async () => {
    expect(await checkDraw({ drawCommitment: 'ab'.repeat(32), seed: null, entries: null })).toBeNull()
  })
})
