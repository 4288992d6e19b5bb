// A bounded map that forgets the least recently used entry first (Map keeps insertion order; a hit re-inserts).

export interface Lru<K, V> {
  get (key: K): V | undefined
  set (key: K, value: V): void
  delete (key: K): void
  readonly size: number
}

export function createLru<K, V> (max: number): Lru<K, V> {
  const map = new Map<K, V>()
  return {
    get (key) {
      const value = map.get(key)
      if (value === undefined) return undefined
      map.delete(key)
      map.set(key, value)
      return value
    },
    set (key, value) {
      map.delete(key)
      map.set(key, value)
      if (map.size > max) map.delete(map.keys().next().value as K)
    },
    delete (key) { map.delete(key) },
    get size () { return map.size }
  }
}
