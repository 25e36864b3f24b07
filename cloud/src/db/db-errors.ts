/**
 * Which database failures mean "the server is not there right now" (down, restarting, refusing
 * connections) rather than "this statement is wrong": the first kind passes when the server is back, so
 * callers retry (ingest withholds the PUBACK, the jobs run again at the next poll) and it is counted and reported as an
 * outage; the second is a bug or bad data.
 */

/** SQLSTATEs of a server going away: connection exceptions (class 08), shutdowns, too many connections. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** Socket errors of a server that is down or restarting. */
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** pg's own words when the socket closes under a client or a connect times out (no code on these). */
const PG_UNAVAILABLE_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|timeout expired$|timeout exceeded when trying to connect)/;

export function isDbUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code))
        return true;
    }
    if (PG_UNAVAILABLE_MESSAGE.test(e.message)) return true;
    if (e instanceof AggregateError && e.errors.some(isDbUnavailable)) return true;
  }
  return false;
}
