// Pure rules over a venue's rows: which lone seats a selection would leave, and the best block of adjacent free seats.

/** A row's seats in seat order: neighbours in the list sit side by side. */
export interface SeatRow { seatNos: readonly number[] }

/** Sections nearest the stage first, each with its rows in the admin's order (the venue layout's shape). */
export interface SeatSections { sections: ReadonlyArray<{ section: string, rows: readonly SeatRow[] }> }

/**
 * The lone seats a selection would leave: a seat still free once the selection is held, whose neighbours
 * on both sides are taken, selected or the row's end, and that sits next to a seat of the selection (a lone
 * seat someone else left stays allowed). Rows without a selected seat are never affected.
 */
export function singleSeatGaps (rows: readonly SeatRow[], isFree: (seatNo: number) => boolean, selection: ReadonlySet<number>): number[] {
  const gaps: number[] = []
  for (const { seatNos } of rows) {
    const freeAfter = (i: number): boolean => i >= 0 && i < seatNos.length && !selection.has(seatNos[i]) && isFree(seatNos[i])
    const selected = (i: number): boolean => i >= 0 && i < seatNos.length && selection.has(seatNos[i])
    for (let i = 0; i < seatNos.length; i++) {
      if (freeAfter(i) && !freeAfter(i - 1) && !freeAfter(i + 1) && (selected(i - 1) || selected(i + 1))) gaps.push(seatNos[i])
    }
  }
  return gaps
}

const rowIndexes = new WeakMap<SeatSections, Map<number, SeatRow>>()

/** The rows that hold any of the seats, each once, in layout order (seats the layout lacks are skipped). */
export function rowsOf (layout: SeatSections, seatNos: readonly number[]): SeatRow[] {
  let bySeat = rowIndexes.get(layout)
  if (!bySeat) {
    // Layouts never change once created, so the index is built once per layout object.
    bySeat = new Map()
    for (const section of layout.sections) for (const row of section.rows) for (const n of row.seatNos) bySeat.set(n, row)
    rowIndexes.set(layout, bySeat)
  }
  const wanted = new Set(seatNos.map(n => bySeat.get(n)).filter((r): r is SeatRow => r !== undefined))
  return layout.sections.flatMap(s => s.rows.filter(r => wanted.has(r)))
}

export interface BlockWish {
  quantity: number
  /** Only seats this test accepts (a grade, say). */
  accepts?: (seatNo: number) => boolean
  /** The show forbids leaving lone seats: a block that would leave one is never chosen. */
  noSingleSeatGaps: boolean
}

/**
 * `quantity` free seats side by side in one row, nearest the stage: the nearest section that has such a block
 * at all; within it, the first block (row order, then seat order) that leaves no lone seat, or failing that, on
 * a show that allows lone seats, its first block. Null when no row has such a block.
 */
export function pickBlock (layout: SeatSections, isFree: (seatNo: number) => boolean, wish: BlockWish): number[] | null {
  const eligible = (n: number): boolean => isFree(n) && (wish.accepts?.(n) ?? true)
  for (const section of layout.sections) {
    let fallback: number[] | null = null
    for (const row of section.rows) {
      let run = 0
      for (let i = 0; i < row.seatNos.length; i++) {
        run = eligible(row.seatNos[i]) ? run + 1 : 0
        if (run < wish.quantity) continue
        const block = row.seatNos.slice(i - wish.quantity + 1, i + 1)
        if (singleSeatGaps([row], isFree, new Set(block)).length === 0) return block
        fallback ??= block
      }
    }
    if (fallback && !wish.noSingleSeatGaps) return fallback
  }
  return null
}
