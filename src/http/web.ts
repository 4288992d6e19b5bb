// Serves the fans' web app (web/dist, built by `npm run build:web`) at /, without shadowing any API route.

import { existsSync } from 'node:fs'
import { dirname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import fastifyStatic, { type SetHeadersResponse } from '@fastify/static'

export interface WebAppOptions {
  /** The built web app's folder; defaults to web/dist under the project root. */
  root?: string
}

/** The folder holding package.json, found by walking up from this file (src/http/ under tsx, dist/src/http/ compiled). */
export function projectRoot (from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${from}`)
    dir = parent
  }
}

const IMMUTABLE = 'public, max-age=31536000, immutable'
// The page may load only its own scripts and styles and talk only to this origin (API and event streams).
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

function setHeaders (res: SetHeadersResponse, filePath: string): void {
  // Vite names everything under assets/ by content hash, so those files never change; anything else may.
  if (filePath.includes(`${sep}assets${sep}`)) {
    res.setHeader('cache-control', IMMUTABLE)
    return
  }
  res.setHeader('cache-control', 'no-cache')
  if (filePath.endsWith('.html')) {
    res.setHeader('content-security-policy', CSP)
    res.setHeader('x-content-type-options', 'nosniff')
    res.setHeader('referrer-policy', 'no-referrer')
  }
}

/**
 * Serves the built web app: index.html at / (no-cache), hashed files under /assets/ (cached for a year).
 * One route per built file (no wildcard), so API routes and the app's 404 handling are untouched.
 * Does nothing but log a warning when the web app has not been built.
 */
export async function registerWebApp (app: FastifyInstance, options: WebAppOptions = {}): Promise<void> {
  const root = resolve(options.root ?? join(projectRoot(), 'web', 'dist'))
  if (!existsSync(join(root, 'index.html'))) {
    app.log.warn({ root }, 'web app not built (run `npm run build:web`); serving the API only')
    return
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: 'index.html',
    decorateReply: false,
    cacheControl: false,
    etag: true,
    lastModified: true,
    setHeaders
  })
}
