import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { ErrorCode } from '../errors.ts';

/**
 * Requests Node's HTTP parser refuses before fastify sees them (a request line or headers over
 * `maxHeaderSize`, 16 KiB by default — e.g. a path id of thousands of characters; malformed HTTP; a client
 * too slow to send its headers) answer in our own shape, `{ statusCode, code, message }` with a code of the
 * one list, instead of fastify's default body without one. Modelled on fastify's defaultClientErrorHandler.
 */
export function clientErrorHandler(log: FastifyBaseLogger) {
  return (err: Error & { code?: string }, socket: Socket): void => {
    // A reset connection is gone: nothing to answer (https://nodejs.org/api/http.html#event-clienterror).
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code, message]: [number, ErrorCode, string] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'CLOUD_HEADERS_TOO_LARGE', 'the request line and headers are over 16 KiB']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'CLOUD_REQUEST_TIMEOUT', 'the request was not sent in time']
          : [400, 'CLOUD_BAD_REQUEST', 'the request could not be read'];
    log.info({ code, httpCode: err.code }, 'request refused by the HTTP parser');
    const body = JSON.stringify({ statusCode: status, code, message });
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Content-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  };
}
