// Builds the fans' web app (plain TypeScript + DOM) into web/dist, which the service serves at /.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const api = 'http://127.0.0.1:3000'
const apiPaths = ['/auth', '/concerts', '/queue', '/reservations', '/users', '/admin', '/health', '/ready', '/metrics', '/docs']

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: 'dist',
    target: 'es2022',
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: true
  },
  // `npx vite web` for UI work: the service runs separately on :3000 and the API paths are proxied to it.
  server: {
    proxy: Object.fromEntries(apiPaths.map(path => [path, { target: api }]))
  }
})
