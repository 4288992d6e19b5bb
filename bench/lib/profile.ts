// Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: by package and by function (self time).

import { readFileSync } from 'node:fs'

interface ProfileNode { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }
interface CpuProfile { nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }

export interface ProfileSummary {
  file: string
  totalMs: number
  byPackage: Array<{ name: string, ms: number, percent: number }>
  byFunction: Array<{ name: string, where: string, ms: number, percent: number }>
}

function packageOf (url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)'
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (nm) return nm[1]
  if (url.startsWith('node:')) return 'node internals'
  if (/\/src\//.test(url)) return 'service code (src/)'
  return url.replace(/^file:\/\//, '')
}

export function summarizeProfile (file: string, top = 20): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(p.nodes.map(n => [n.id, n]))
  const self = new Map<number, number>()
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
  let total = 0
  const pkgs = new Map<string, number>()
  const fns = new Map<string, { name: string, where: string, us: number }>()
  for (const [id, us] of self) {
    const n = byId.get(id)
    if (!n) continue
    const { functionName, url, lineNumber } = n.callFrame
    if (functionName === '(idle)') continue
    total += us
    const pkg = packageOf(url, functionName)
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us)
    const where = url ? `${url.replace(/^file:\/\/.*?(node_modules\/|src\/|dist\/)/, '$1')}:${lineNumber + 1}` : ''
    const key = `${functionName}@${where}`
    const f = fns.get(key) ?? { name: functionName || '(anonymous)', where, us: 0 }
    f.us += us
    fns.set(key, f)
  }
  const pct = (us: number): number => Math.round(1000 * us / Math.max(1, total)) / 10
  return {
    file,
    totalMs: Math.round(total / 1000),
    byPackage: [...pkgs].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: pct(us) })),
    byFunction: [...fns.values()].sort((a, b) => b.us - a.us).slice(0, top).map(f => ({ name: f.name, where: f.where, ms: Math.round(f.us / 1000), percent: pct(f.us) }))
  }
}
