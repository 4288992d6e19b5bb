// Conditional GETs: send a ready body with its entity tag, or 304 with no body when the client's copy is current.

import type { FastifyReply, FastifyRequest } from 'fastify'

/** True when `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks for If-None-Match) or is `*`. */
export function matchesEtag (ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '')
  const wanted = opaque(etag)
  return ifNoneMatch.split(',').some(tag => tag.trim() === '*' || opaque(tag) === wanted)
}

/**
 * Replies with a pre-serialised JSON body and its ETag, or 304 and no body for a matching If-None-Match.
 * The map is personal (behind a bearer) and changes any second: caches may keep it only to revalidate.
 */
export function sendTagged (request: FastifyRequest, reply: FastifyReply, view: { etag: string, body: Buffer }): FastifyReply {
  reply.header('etag', view.etag).header('cache-control', 'private, no-cache')
  if (matchesEtag(request.headers['if-none-match'], view.etag)) return reply.code(304).send()
  return reply.type('application/json; charset=utf-8').send(view.body)
}
