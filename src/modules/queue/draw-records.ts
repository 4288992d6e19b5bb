// Port: the published record of each concert's opening draw (its sorted keys), kept for good.

export interface DrawRecord {
  concertId: number
  drawnAt: number
  /** The draw keys of the pre-queued tokens, ascending (draw order). */
  entries: string[]
}

export interface DrawRecords {
  find (concertId: number): Promise<DrawRecord | null>
  /** Saves the record unless the concert has one already (the first one stays; every instance computes the same). */
  save (record: DrawRecord): Promise<void>
}
