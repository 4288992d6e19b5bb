// Concerts and show dates (public data), cached briefly so every page can name the concert it is about.

import { api, type Concert, type ShowDate } from './api'

interface Catalog { concerts: Concert[], dates: ShowDate[] }

let cached: { at: number, value: Promise<Catalog> } | null = null

/** Concerts with their bookable dates; refetched when older than maxAgeMs. */
export function loadCatalog (maxAgeMs = 30_000): Promise<Catalog> {
  if (cached && Date.now() - cached.at < maxAgeMs) return cached.value
  const value = Promise.all([api.concerts(), api.dates()]).then(([c, d]) => ({ concerts: c.concerts, dates: d.dates }))
  cached = { at: Date.now(), value }
  value.catch(() => { cached = null })
  return value
}

/** The concert's title, or null when the catalog cannot be loaded (the page still works without it). */
export async function concertTitle (concertId: string): Promise<string | null> {
  try {
    const { concerts } = await loadCatalog(5 * 60_000)
    return concerts.find(c => c.id === concertId)?.title ?? null
  } catch {
    return null
  }
}

export async function showStartsAt (concertId: string, date: string): Promise<string | null> {
  try {
    const { dates } = await loadCatalog(5 * 60_000)
    return dates.find(d => d.concertId === concertId && d.date === date)?.startsAt ?? null
  } catch {
    return null
  }
}

/** The concert (with its salesOpenAt), or null when it is unknown or the catalog cannot be loaded. */
export async function concertOf (concertId: string): Promise<Concert | null> {
  try {
    const { concerts } = await loadCatalog(60_000)
    return concerts.find(c => c.id === concertId) ?? null
  } catch {
    return null
  }
}
