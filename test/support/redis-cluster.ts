// A private Redis Cluster for tests: 3 masters + 3 replicas from Debian's redis-server on free ports, with kill/restart per node.

import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort, waitUntil } from './ports.js'
import { onRedisPort, startRedisServer } from './redis-server.js'
import type { TiedProcess } from './tied-process.js'

/** One node as CLUSTER NODES describes it. */
export interface ClusterNodeInfo {
  id: string
  port: number
  role: 'master' | 'replica'
  /** The master's node id for a replica; null for a master. */
  masterId: string | null
  /** Marked failed or unreachable by the node asked. */
  failing: boolean
  /** Slot ranges a master serves, e.g. [[0, 5460]]. */
  slots: Array<[number, number]>
}

export interface TestRedisCluster {
  /** `redis-cluster://127.0.0.1:p1,...` with every node: what REDIS_URL gets. */
  url: string
  /** Client ports of all nodes, in start order. */
  ports: number[]
  /** CLUSTER NODES as seen by a running node. */
  nodes (): Promise<ClusterNodeInfo[]>
  /** The port of the master that serves the slot of `key` right now. */
  masterOf (key: string): Promise<number>
  /** The ports of the replicas of the master on `port`. */
  replicasOf (port: number): Promise<number[]>
  /** SIGKILL the node on `port`: it vanishes mid-traffic, nothing saved. */
  kill (port: number): Promise<void>
  /** SIGSTOP / SIGCONT the node on `port`: it stays connected but answers nothing (a stall, not a crash). */
  pause (port: number): Promise<void>
  resume (port: number): Promise<void>
  /** Starts a killed node again on the same port; it rejoins from its nodes.conf (as a replica if it was failed over). */
  restart (port: number): Promise<void>
  /** Resolves once every running node says cluster_state:ok and agrees every slot has a live master. */
  waitHealthy (timeoutMs?: number): Promise<void>
  /** FLUSHALL on every running master (ioredis' flushdb on a Cluster reaches one node only). */
  flushAll (): Promise<void>
  /** Kills every node and removes the temp directory. */
  close (): Promise<void>
}

export interface RedisClusterOptions {
  masters?: number
  replicasPerMaster?: number
  /** cluster-node-timeout: how long a silent master takes to be failed over (ms). */
  nodeTimeoutMs?: number
}

interface NodeProcess { port: number, busPort: number, dir: string, child: TiedProcess | null }

export function parseClusterNodes (text: string): ClusterNodeInfo[] {
  return text.trim().split('\n').filter(Boolean).map(line => {
    const [id, address, flags, master, , , , , ...slots] = line.split(' ')
    const flagList = flags.split(',')
    return {
      id,
      port: Number(/:(\d+)@/.exec(address)?.[1] ?? /:(\d+)$/.exec(address)?.[1]),
      role: flagList.includes('master') ? 'master' : 'replica',
      masterId: master === '-' ? null : master,
      failing: flagList.some(f => f === 'fail' || f === 'fail?'),
      slots: slots.filter(s => /^\d+(-\d+)?$/.test(s)).map(s => {
        const [from, to] = s.split('-').map(Number)
        return [from, to ?? from] as [number, number]
      })
    }
  })
}

/**
 * Starts `masters` × (1 + `replicasPerMaster`) redis-server processes in cluster mode on free ports (the bus
 * port chosen apart with cluster-port), joins them with `redis-cli --cluster create --cluster-replicas`, and
 * waits until the cluster is healthy and every replica is in sync with its master.
 */
export async function startRedisCluster (options: RedisClusterOptions = {}): Promise<TestRedisCluster> {
  const masters = options.masters ?? 3
  const replicas = options.replicasPerMaster ?? 1
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1500
  const root = mkdtempSync(join(tmpdir(), 'concert-redis-cluster-'))
  const procs: NodeProcess[] = []
  const taken = new Set<number>()
  // Ports free a moment ago may be taken by the time redis-server binds (other tests start servers too).
  const pickPorts = async (p: { port: number, busPort: number }): Promise<void> => {
    for (const k of ['port', 'busPort'] as const) {
      let port = await freePort()
      while (taken.has(port)) port = await freePort()
      taken.add(port)
      p[k] = port
    }
  }
  for (let i = 0; i < masters * (1 + replicas); i++) {
    const dir = join(root, `node${i}`)
    mkdirSync(dir)
    const p: NodeProcess = { port: 0, busPort: 0, dir, child: null }
    await pickPorts(p)
    procs.push(p)
  }
  const byPort = (port: number): NodeProcess => {
    const p = procs.find(n => n.port === port)
    if (!p) throw new Error(`no cluster node on port ${port}`)
    return p
  }
  const running = (): NodeProcess[] => procs.filter(p => p.child !== null)

  const launch = async (p: NodeProcess): Promise<void> => {
    p.child = await startRedisServer(p.port, [
      '--dir', p.dir, '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(p.busPort),
      '--cluster-node-timeout', String(nodeTimeoutMs)
    ])
  }
  const kill = async (port: number): Promise<void> => {
    const p = byPort(port)
    const child = p.child
    if (!child) return
    p.child = null
    await child.kill('SIGKILL')
  }
  const nodes = async (): Promise<ClusterNodeInfo[]> => {
    let lastError: unknown = new Error('no cluster node is running')
    for (const p of running()) {
      try {
        return parseClusterNodes(await onRedisPort(p.port, r => r.call('CLUSTER', 'NODES') as Promise<string>))
      } catch (err) { lastError = err }
    }
    throw lastError
  }
  const close = async (): Promise<void> => {
    await Promise.all(procs.map(p => kill(p.port)))
    rmSync(root, { recursive: true, force: true })
  }

  const healthy = async (): Promise<boolean> => {
    for (const p of running()) {
      const info = await onRedisPort(p.port, r => r.call('CLUSTER', 'INFO') as Promise<string>)
      if (!/cluster_state:ok/.test(info)) return false
      const seen = parseClusterNodes(await onRedisPort(p.port, r => r.call('CLUSTER', 'NODES') as Promise<string>))
      const live = new Set(running().map(n => n.port))
      const covered = seen.filter(n => n.role === 'master' && !n.failing && live.has(n.port))
        .flatMap(n => n.slots).reduce((sum, [from, to]) => sum + to - from + 1, 0)
      if (covered !== 16384) return false
      // A replica that has not finished its first sync would lose writes at a failover the test then blames on the service.
      if (p.child && seen.find(n => n.port === p.port)?.role === 'replica') {
        const replication = await onRedisPort(p.port, r => r.info('replication'))
        if (!/master_link_status:up/.test(replication) || /master_sync_in_progress:1/.test(replication)) return false
      }
    }
    return true
  }
  const waitHealthy = (timeoutMs = 20_000): Promise<void> =>
    waitUntil(healthy, timeoutMs, () => `redis cluster on ports ${procs.map(p => p.port).join(',')} did not become healthy`, 100)

  const launchFresh = async (p: NodeProcess): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(p)
      } catch (err) {
        await kill(p.port)
        if (attempt === 3) throw err
        await pickPorts(p)
      }
    }
  }

  try {
    await Promise.all(procs.map(launchFresh))
    await promisify(execFile)('redis-cli', [
      '--cluster', 'create', ...procs.map(p => `127.0.0.1:${p.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'
    ], { timeout: 30_000 }).catch((err: Error & { stdout?: string, stderr?: string }) => {
      throw new Error(`redis-cli --cluster create failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`)
    })
    await waitHealthy()
  } catch (err) {
    await close()
    throw err
  }
  process.once('exit', () => { rmSync(root, { recursive: true, force: true }) })

  return {
    url: `redis-cluster://${procs.map(p => `127.0.0.1:${p.port}`).join(',')}`,
    ports: procs.map(p => p.port),
    nodes,
    async masterOf (key) {
      const slot = Number(await onRedisPort(running()[0].port, r => r.call('CLUSTER', 'KEYSLOT', key)))
      const master = (await nodes()).find(n => n.role === 'master' && !n.failing && n.slots.some(([from, to]) => slot >= from && slot <= to))
      if (!master) throw new Error(`no live master serves slot ${slot}`)
      return master.port
    },
    async replicasOf (port) {
      const all = await nodes()
      const master = all.find(n => n.port === port)
      return all.filter(n => master && n.masterId === master.id).map(n => n.port)
    },
    kill,
    async pause (port) { process.kill(byPort(port).child?.pid ?? -1, 'SIGSTOP') },
    async resume (port) { process.kill(byPort(port).child?.pid ?? -1, 'SIGCONT') },
    async restart (port) {
      const p = byPort(port)
      if (p.child) return
      await launch(p)
    },
    waitHealthy,
    async flushAll () {
      const current = await nodes()
      const live = new Set(running().map(p => p.port))
      await Promise.all(current.filter(n => n.role === 'master' && live.has(n.port)).map(n => onRedisPort(n.port, r => r.flushall())))
    },
    close
  }
}

let shared: { cluster: Promise<TestRedisCluster>, users: number } | null = null

/**
 * One cluster for the whole test file (each file runs in a process of its own): started by the first
 * caller, closed when the last one releases it. Tests that kill nodes start their own with startRedisCluster.
 */
export async function acquireSharedRedisCluster (): Promise<{ cluster: TestRedisCluster, release: () => Promise<void> }> {
  if (!shared) shared = { cluster: startRedisCluster(), users: 0 }
  const mine = shared
  mine.users++
  let cluster: TestRedisCluster
  try {
    cluster = await mine.cluster
  } catch (err) {
    if (--mine.users === 0 && shared === mine) shared = null
    throw err
  }
  let released = false
  return {
    cluster,
    async release () {
      if (released) return
      released = true
      if (--mine.users > 0) return
      if (shared === mine) shared = null
      await cluster.close()
    }
  }
}
