// An ordered list with O(log n) rank, append and removal anywhere (a Fenwick tree over slots): a queue's positions.

interface Slotted { slot: number }

export interface RankedList<T extends Slotted> {
  readonly size: number
  append (item: T): void
  /** Puts `items` in this order ahead of everything already listed. */
  prepend (items: T[]): void
  remove (item: T): void
  /** 1-based place of a listed item. */
  rank (item: T): number
  /** The first `limit` items, in order. */
  front (limit: number): T[]
  /** Every listed item, in order. */
  all (): T[]
}

export function createRankedList<T extends Slotted> (): RankedList<T> {
  let items: Array<T | null> = []
  let tree = new Int32Array(1025) // 1-based Fenwick tree over slots 0..items.length-1
  let live = 0
  let head = 0 // every slot before it is empty

  const add = (slot: number, delta: number): void => {
    for (let i = slot + 1; i < tree.length; i += i & -i) tree[i] += delta
  }
  const prefix = (slot: number): number => {
    let s = 0
    for (let i = slot + 1; i > 0; i -= i & -i) s += tree[i]
    return s
  }

  /** Lays out `ordered` in fresh slots, with room to grow (the tree built in linear time). */
  function rebuild (ordered: T[]): void {
    let capacity = 1024
    while (capacity < ordered.length * 2) capacity *= 2
    items = ordered.slice()
    tree = new Int32Array(capacity + 1)
    ordered.forEach((item, slot) => { item.slot = slot; tree[slot + 1] += 1 })
    for (let i = 1; i <= capacity; i++) {
      const parent = i + (i & -i)
      if (parent <= capacity) tree[parent] += tree[i]
    }
    live = ordered.length
    head = 0
  }

  const listed = (): T[] => items.filter((x): x is T => x !== null)

  return {
    get size () { return live },
    append (item) {
      if (items.length + 1 >= tree.length) rebuild(listed())
      item.slot = items.length
      items.push(item)
      add(item.slot, 1)
      live++
    },
    prepend (front) {
      rebuild([...front, ...listed()])
    },
    remove (item) {
      if (items[item.slot] !== item) return
      items[item.slot] = null
      add(item.slot, -1)
      live--
      while (head < items.length && items[head] === null) head++
      // Compact once most slots are empty, so memory follows the live count.
      if (items.length > 4096 && live * 2 < items.length) rebuild(listed())
    },
    rank (item) { return prefix(item.slot) },
    front (limit) {
      const out: T[] = []
      for (let slot = head; slot < items.length && out.length < limit; slot++) {
        const item = items[slot]
        if (item !== null) out.push(item)
      }
      return out
    },
    all: listed
  }
}
