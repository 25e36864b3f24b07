import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The links texted to a worker (dispatch) and to a guardian (alert): each opens exactly one case, for
 * one person, for a short time, with no password. Short enough for a text:
 * `v1.<case id>.<w|g>.<subject, base64url>.<expiry, unix s base36>.<mac>`, the MAC being HMAC-SHA256
 * over everything before it, cut to 96 bits (a short-lived link is guessed online or not at all), with a
 * key every replica derives from the same secret.
 */
const MAC_BYTES = 12;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export type LinkRole = 'worker' | 'guardian';

export interface LinkClaims {
  caseId: string;
  role: LinkRole;
  /** The worker id or guardian id the link was sent to (the actor of what it does). */
  subject: string;
  /** Unix seconds. */
  expiresAt: number;
}

/** How long a texted link opens its case: a dispatch is answered in minutes, a guardian follows a day. */
export const LINK_TTL_S: Record<LinkRole, number> = { worker: 4 * 3600, guardian: 24 * 3600 };

export type LinkRefusal = 'malformed' | 'bad_signature' | 'expired';

export class LinkError extends Error {
  constructor(readonly reason: LinkRefusal) {
    super(`case link refused: ${reason}`);
  }
}

export interface LinkSigner {
  sign(c: Omit<LinkClaims, 'expiresAt'>, nowMs?: number): string;
  verify(token: string, nowMs?: number): LinkClaims;
}

/**
 * `secret`: the JWT key or service token the replicas share (a link made by one opens on another);
 * without either the key is random per process (development: links die with the process).
 */
export function createLinkSigner(secret: string | undefined): LinkSigner {
  const key = createHmac('sha256', secret ?? randomBytes(32))
    .update('anju-console-case-link-v1')
    .digest();
  const mac = (body: string) =>
    createHmac('sha256', key).update(body).digest().subarray(0, MAC_BYTES).toString('base64url');
  return {
    sign(c, nowMs = Date.now()) {
      if (!ID.test(c.caseId)) throw new Error(`case id ${c.caseId} cannot be put in a link`);
      const e = (Math.floor(nowMs / 1000) + LINK_TTL_S[c.role]).toString(36);
      const body = `v1.${c.caseId}.${c.role === 'worker' ? 'w' : 'g'}.${Buffer.from(c.subject).toString('base64url')}.${e}`;
      return `${body}.${mac(body)}`;
    },
    verify(token, nowMs = Date.now()) {
      const parts = token.split('.');
      if (token.length > 400 || parts.length !== 6 || parts[0] !== 'v1') throw new LinkError('malformed');
      const [, caseId, r, s, e, given] = parts as [string, string, string, string, string, string];
      const want = Buffer.from(mac(parts.slice(0, 5).join('.')));
      const got = Buffer.from(given);
      if (got.length !== want.length || !timingSafeEqual(got, want)) throw new LinkError('bad_signature');
      const expiresAt = Number.parseInt(e, 36);
      if (!ID.test(caseId) || (r !== 'w' && r !== 'g') || !Number.isFinite(expiresAt)) {
        throw new LinkError('malformed');
      }
      if (expiresAt * 1000 <= nowMs) throw new LinkError('expired');
      const subject = Buffer.from(s, 'base64url').toString('utf8');
      return { caseId, role: r === 'w' ? 'worker' : 'guardian', subject, expiresAt };
    },
  };
}
