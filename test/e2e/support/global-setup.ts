// Builds the web app once before the browser tests, so every server they start serves the current sources.
import { build } from 'vite'
import { projectRoot } from '../../../src/http/web.js'
import { join } from 'node:path'

export default async function setup (): Promise<void> {
  const root = join(projectRoot(), 'web')
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { emptyOutDir: true } })
}
