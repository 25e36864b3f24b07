import type { FastifyReply } from 'fastify';

/** A refused webhook leaves in the API's error format with a stable code (4xx, never the cause). */
export function refuse(reply: FastifyReply, statusCode: 400 | 403 | 415, code: string, message: string) {
  return reply.code(statusCode).send({ statusCode, code, message });
}
