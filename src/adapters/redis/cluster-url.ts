// REDIS_URL=redis-cluster://...: parsed apart from the client so config validation never loads ioredis.

const CLUSTER_URL = /^redis-cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/?$/

/** True for `redis-cluster://host:port,host:port,...`. */
export const isClusterUrl = (url: string): boolean => url.startsWith('redis-cluster://')

/**
 * The seed nodes and credentials of `redis-cluster://[user:password@]host:port,host:port,...` (any one
 * reachable node is enough; the client learns the others from CLUSTER SLOTS). Throws on a malformed URL.
 */
export function parseClusterUrl (url: string): { nodes: Array<{ host: string, port: number }>, username?: string, password?: string } {
  const m = CLUSTER_URL.exec(url)
  if (!m) throw new Error(`not a redis-cluster:// URL: "${url}"`)
  const nodes = m[3].split(',').map(part => {
    const hostPort = /^(\[[0-9a-fA-F:]+\]|[^:]+):([0-9]{1,5})$/.exec(part.trim())
    const port = hostPort ? Number(hostPort[2]) : NaN
    if (!hostPort || port < 1 || port > 65535) throw new Error(`redis-cluster:// URL needs host:port for every node, got "${part}"`)
    return { host: hostPort[1].replace(/^\[|\]$/g, ''), port }
  })
  const decode = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : decodeURIComponent(s))
  return { nodes, username: decode(m[2] === undefined ? undefined : m[1]), password: decode(m[2] ?? m[1]) }
}
