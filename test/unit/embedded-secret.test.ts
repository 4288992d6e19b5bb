// Unit: the embedded mode keeps its generated secret next to the SQLite file, so tokens survive a restart.

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, keepEmbeddedSecret, loadConfig } from '../../src/config.js'

describe('keepEmbeddedSecret', () => {
  const dirs: string[] = []
  const tempDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'secret-')); dirs.push(d); return d }
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

  it('writes the first start\'s secret beside the database file (mode 0600) and reads it back on the next start', () => {
    const dir = tempDir()
    const env = { DATABASE_URL: `sqlite:${join(dir, 'data', 'concert.db')}` }
    const first = keepEmbeddedSecret(loadConfig(env))
    const file = join(dir, 'data', 'concert.db.secret')
    expect(first.jwtSecretFile).toBe(file)
    expect(readFileSync(file, 'utf8').trim()).toBe(first.jwtSecret)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const second = keepEmbeddedSecret(loadConfig(env))
    expect(second.jwtSecret).toBe(first.jwtSecret)
  })

  it('replaces a kept secret shorter than 32 bytes', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'db.secret'), 'short\n')
    const config = keepEmbeddedSecret(loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'db')}` }))
    expect(Buffer.byteLength(config.jwtSecret)).toBeGreaterThanOrEqual(32)
    expect(readFileSync(join(dir, 'db.secret'), 'utf8').trim()).toBe(config.jwtSecret)
  })

  it('keeps nothing for an in-memory database or when JWT_SECRET is set', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).jwtSecretFile).toBeUndefined()
    const dir = tempDir()
    const set = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'db')}`, JWT_SECRET: 'x'.repeat(32) })
    expect(set.jwtSecretFile).toBeUndefined()
    expect(keepEmbeddedSecret(set)).toBe(set)
  })

  it('refuses an unknown admission model, naming the variable', () => {
    expect(() => loadConfig({ QUEUE_ADMISSION: 'lottery' })).toThrow(ConfigError)
    expect(() => loadConfig({ QUEUE_ADMISSION: 'lottery' })).toThrow(/QUEUE_ADMISSION/)
  })
})
