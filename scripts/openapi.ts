// Builds the app with the default configuration and returns (or, run as a script, writes) its OpenAPI document.
// `npm run docs` rewrites docs/openapi.json; test/http/docs.test.ts fails when the committed file has drifted.

import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../src/app.js'
import { compose } from '../src/compose.js'
import { loadConfig } from '../src/config.js'

export const OPENAPI_FILE = resolve(fileURLToPath(new URL('..', import.meta.url)), 'docs/openapi.json')

/** The OpenAPI document of the service as configured by default (embedded mode), as committed text. */
export async function generateOpenApi (): Promise<string> {
  // A fixed environment, not the caller's: the document must not depend on who generates it.
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', JWT_SECRET: 'openapi-generation-secret-of-32-bytes!', LOG_LEVEL: 'silent' })
  const composed = await compose(config)
  const app = await buildApp(composed.deps, { jobs: false, web: false })
  try {
    await app.ready()
    return `${JSON.stringify(app.swagger(), null, 2)}\n`
  } finally {
    await app.close()
    await composed.close()
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_FILE, await generateOpenApi())
  process.stdout.write(`wrote ${OPENAPI_FILE}\n`)
}
