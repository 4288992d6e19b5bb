// Checks a concert's opening draw in the browser (WebCrypto): the seed matches the commitment published before the
// opening, the keys are in order, and the fan's own key, recomputed from the seed and their token id, stands where.

/** What the draw route publishes (the shape of api.ts's Draw; standalone, so Node can run this file in tests). */
export interface PublishedDraw { drawCommitment: string, seed: string | null, entries: string[] | null }

export interface DrawCheck {
  /** sha256(seed bytes) equals the commitment. */
  commitment: boolean
  /** The keys are in ascending order (the draw order). */
  sorted: boolean
  count: number
  /** The fan's key, HMAC-SHA256(seed, tokenId), when their token id is known. */
  mine: string | null
  /** 1-based place of the fan's key among the entries; null when it is not there (or not known). */
  place: number | null
  /** The server's drawKey for the fan equals the one computed here (null when the server sent none). */
  serverAgrees: boolean | null
}

function hexToBytes (hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return null
  const bytes = new Uint8Array(hex.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return bytes
}

function toHex (buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), b => b.toString(16).padStart(2, '0')).join('')
}

/** WebCrypto works only in a secure context (https, or this machine). */
export function canCheckDraws (): boolean {
  return typeof crypto !== 'undefined' && typeof crypto.subtle?.digest === 'function'
}

/** Checks a draw that has run (seed and entries published); null while it has not. */
export async function checkDraw (draw: PublishedDraw, mine: { tokenId?: string | null, drawKey?: string | null } = {}): Promise<DrawCheck | null> {
  if (draw.seed === null || draw.entries === null) return null
  const seed = hexToBytes(draw.seed)
  const entries = draw.entries.map(k => k.toLowerCase())
  let sorted = true
  for (let i = 1; i < entries.length; i++) if (entries[i - 1] > entries[i]) { sorted = false; break }
  if (!seed) return { commitment: false, sorted, count: entries.length, mine: null, place: null, serverAgrees: null }
  const digest = toHex(await crypto.subtle.digest('SHA-256', seed))
  let key: string | null = null
  if (mine.tokenId) {
    const hmac = await crypto.subtle.importKey('raw', seed, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    key = toHex(await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(mine.tokenId)))
  }
  const at = key === null ? -1 : entries.indexOf(key)
  return {
    commitment: digest === draw.drawCommitment.toLowerCase(),
    sorted,
    count: entries.length,
    mine: key,
    place: at < 0 ? null : at + 1,
    serverAgrees: key === null || !mine.drawKey ? null : mine.drawKey.toLowerCase() === key
  }
}
