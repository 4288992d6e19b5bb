// nginx in front of service instances: deploy/nginx.local.conf with the ports replaced, on a prefix of its own.

import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { call } from './http-client.js'
import { ROOT } from './instances.js'
import { freePort, waitUntil } from './ports.js'

/** The nginx binary, or null when it is not installed (tests that need it are skipped then). */
export function findNginx (): string | null {
  for (const candidate of [process.env.NGINX_BIN, 'nginx', '/usr/sbin/nginx', '/usr/local/sbin/nginx'].filter(Boolean) as string[]) {
    if (candidate.includes('/') && !existsSync(candidate)) continue
    if (spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return candidate
  }
  return null
}

export interface Nginx { url: string, port: number, prefix: string, config: string, stop (): Promise<void> }

/** `deploy/nginx.local.conf` with its two upstream servers swapped for `upstreams` and a free listen port. */
export function renderLocalNginxConfig (upstreams: number[], listenPort: number): string {
  const source = readFileSync(join(ROOT, 'deploy/nginx.local.conf'), 'utf8')
  const servers = upstreams.map(p => `    server 127.0.0.1:${p} max_fails=3 fail_timeout=10s;`).join('\n')
  const rendered = source
    .replace(/^ {4}server 127\.0\.0\.1:3001 .*\n {4}server 127\.0\.0\.1:3002 .*$/m, servers)
    .replace('listen 127.0.0.1:8080;', `listen 127.0.0.1:${listenPort};`)
  if (rendered === source || !rendered.includes(`127.0.0.1:${listenPort}`) || !rendered.includes(`127.0.0.1:${upstreams[0]}`)) {
    throw new Error('deploy/nginx.local.conf no longer has the upstream servers 127.0.0.1:3001/3002 and listen 127.0.0.1:8080 this helper replaces')
  }
  return rendered
}

/** Runs `nginx -t` on a config file with its own prefix directory; returns the exit code and output. */
export function testNginxConfig (nginx: string, prefix: string, config: string): { status: number | null, output: string } {
  mkdirSync(join(prefix, 'logs'), { recursive: true })
  const r = spawnSync(nginx, ['-t', '-p', prefix, '-c', config, '-e', 'stderr'], { encoding: 'utf8' })
  return { status: r.status, output: `${r.stdout}${r.stderr}` }
}

/** Starts nginx in the foreground in front of `upstreams`; null when nginx is not installed. */
export async function startNginx (upstreams: number[]): Promise<Nginx | null> {
  const bin = findNginx()
  if (!bin) return null
  const port = await freePort()
  const prefix = mkdtempSync(join(tmpdir(), 'concert-nginx-'))
  mkdirSync(join(prefix, 'logs'))
  const config = join(prefix, 'nginx.conf')
  writeFileSync(config, renderLocalNginxConfig(upstreams, port))
  const checked = testNginxConfig(bin, prefix, config)
  if (checked.status !== 0) throw new Error(`nginx -t failed:\n${checked.output}`)
  const child = spawn(bin, ['-p', prefix, '-c', config, '-e', 'stderr', '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let errors = ''
  child.stderr?.on('data', (c: Buffer) => { errors += c.toString('utf8') })
  const exited = new Promise(resolve => child.once('exit', resolve))
  const url = `http://127.0.0.1:${port}`
  await waitUntil(async () => (await call(url, 'GET', '/nginx-health', { timeoutMs: 1000 })).status === 200, 5000, () => `nginx did not start: ${errors}`, 50)
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT')
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
    await exited
    clearTimeout(timer)
    rmSync(prefix, { recursive: true, force: true })
  }
  process.once('exit', () => child.kill('SIGKILL'))
  return { url, port, prefix, config, stop }
}
