// Unit: the pure seat rules — which lone seats a selection leaves, and the best block of adjacent free seats.

import { describe, expect, it } from 'vitest'
import { pickBlock, rowsOf, singleSeatGaps, type SeatSections } from '../../src/modules/reservations/seat-blocks.js'

/** Free seats are the ones not listed as taken. */
const freeExcept = (...taken: number[]) => (n: number) => !taken.includes(n)
const row = (from: number, to: number) => ({ seatNos: Array.from({ length: to - from + 1 }, (_, i) => from + i) })

describe('singleSeatGaps', () => {
  const rows = [row(1, 6)]

  it('finds a lone free seat left between the selection and a taken seat', () => {
    expect(singleSeatGaps(rows, freeExcept(1), new Set([3, 4]))).toEqual([2])
  })

  it('finds a lone free seat left at the row\'s end, and between two selected seats', () => {
    expect(singleSeatGaps(rows, freeExcept(), new Set([2, 3]))).toEqual([1])
    expect(singleSeatGaps(rows, freeExcept(), new Set([4, 5]))).toEqual([6])
    expect(singleSeatGaps(rows, freeExcept(), new Set([1, 3]))).toEqual([2])
  })

  it('allows a selection that leaves two or more free seats together, or none', () => {
    expect(singleSeatGaps(rows, freeExcept(), new Set([1, 2]))).toEqual([])
    expect(singleSeatGaps(rows, freeExcept(), new Set([3, 4]))).toEqual([])
    expect(singleSeatGaps(rows, freeExcept(6), new Set([3, 4, 5]))).toEqual([])
    expect(singleSeatGaps(rows, freeExcept(1, 2, 3), new Set([4, 5, 6]))).toEqual([])
  })

  it('taking a lone seat is always allowed, and a lone seat someone else left does not count against the selection', () => {
    expect(singleSeatGaps(rows, freeExcept(1, 3), new Set([2]))).toEqual([])
    expect(singleSeatGaps(rows, freeExcept(2), new Set([5, 6]))).toEqual([]) // seat 1 was alone before
    expect(singleSeatGaps(rows, freeExcept(2), new Set([4, 5]))).toEqual([3, 6])
    expect(singleSeatGaps([row(1, 6), row(7, 8)], freeExcept(7), new Set([1, 2]))).toEqual([])
  })

  it('judges each row on its own: the last seat of one row and the first of the next are not neighbours', () => {
    expect(singleSeatGaps([row(1, 3), row(4, 6)], freeExcept(), new Set([2, 3, 4, 5]))).toEqual([1, 6])
  })
})

describe('rowsOf', () => {
  const layout: SeatSections = { sections: [{ section: 'A', rows: [row(1, 3), row(4, 6)] }, { section: 'B', rows: [row(7, 9)] }] }

  it('gives the rows holding the seats, each once, in layout order, skipping unknown seats', () => {
    expect(rowsOf(layout, [8, 2, 3, 99])).toEqual([row(1, 3), row(7, 9)])
    expect(rowsOf(layout, [])).toEqual([])
  })
})

describe('pickBlock', () => {
  const stage: SeatSections = {
    sections: [
      { section: 'VIP', rows: [row(1, 4), row(5, 8)] },
      { section: 'R', rows: [row(9, 14)] }
    ]
  }

  it('takes the first block of the nearest row of the nearest section', () => {
    expect(pickBlock(stage, freeExcept(), { quantity: 2, noSingleSeatGaps: false })).toEqual([1, 2])
    expect(pickBlock(stage, freeExcept(1, 2), { quantity: 2, noSingleSeatGaps: false })).toEqual([3, 4])
    expect(pickBlock(stage, freeExcept(1, 2, 3, 4, 8), { quantity: 3, noSingleSeatGaps: false })).toEqual([5, 6, 7])
  })

  it('never splits a block across rows or sections', () => {
    expect(pickBlock(stage, freeExcept(1, 2, 5, 6), { quantity: 3, noSingleSeatGaps: false })).toEqual([9, 10, 11])
    expect(pickBlock(stage, freeExcept(1, 2, 3, 5, 6, 7, 9, 10, 11, 12, 13), { quantity: 2, noSingleSeatGaps: false })).toBeNull()
  })

  it('prefers a farther row of the section whose block leaves no lone seat over a nearer one that would', () => {
    // Row 1 has 2, 3, 4 free: any two of them leave one alone. Row 2 is empty.
    expect(pickBlock(stage, freeExcept(1), { quantity: 2, noSingleSeatGaps: false })).toEqual([5, 6])
    expect(pickBlock(stage, freeExcept(1), { quantity: 3, noSingleSeatGaps: false })).toEqual([2, 3, 4])
  })

  it('stays in the nearest section that has a block: another section is not nearer for leaving no lone seat', () => {
    // VIP has only 2, 3, 4 free; R is empty.
    const vip = freeExcept(1, 5, 6, 7, 8)
    expect(pickBlock(stage, vip, { quantity: 2, noSingleSeatGaps: false })).toEqual([2, 3])
    expect(pickBlock(stage, vip, { quantity: 2, noSingleSeatGaps: true })).toEqual([9, 10])
  })

  it('falls back to a block that leaves a lone seat only where the show allows it', () => {
    const three = freeExcept(1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14) // only 2, 3, 4 are free
    expect(pickBlock(stage, three, { quantity: 2, noSingleSeatGaps: false })).toEqual([2, 3])
    expect(pickBlock(stage, three, { quantity: 2, noSingleSeatGaps: true })).toBeNull()
  })

  it('takes only seats the wish accepts (a grade, say)', () => {
    // Seat 9 is free though not wanted: taking 10–11 would leave it alone, so 11–12 it is.
    expect(pickBlock(stage, freeExcept(), { quantity: 2, accepts: n => n >= 10, noSingleSeatGaps: false })).toEqual([11, 12])
    expect(pickBlock(stage, freeExcept(9), { quantity: 2, accepts: n => n >= 10, noSingleSeatGaps: false })).toEqual([10, 11])
    expect(pickBlock(stage, freeExcept(), { quantity: 2, accepts: () => false, noSingleSeatGaps: false })).toBeNull()
  })
})
