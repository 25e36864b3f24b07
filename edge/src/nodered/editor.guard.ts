import { isIP } from 'node:net';
import { UserError } from '../errors.ts';

export interface EditorSecurity {
  enabled: boolean;
  host: string;
  passwordHash?: string | undefined;
}

export type HostScope = 'loopback' | 'lan' | 'any' | 'public';

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** Where an editor bound to `host` can be reached from. Host names are 'public': we cannot tell. */
export function hostScope(host: string): HostScope {
  if (host === 'localhost') return 'loopback';
  const v = isIP(host);
  if (v === 4) {
    const [a = -1, b = -1] = host.split('.').map(Number);
    if (a === 127) return 'loopback';
    if (a === 0) return 'any';
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254))
      return 'lan';
    return 'public';
  }
  if (v === 6) {
    const h = host.toLowerCase();
    if (h === '::1') return 'loopback';
    if (h === '::') return 'any';
    if (/^f[cd][0-9a-f]{2}:/.test(h) || /^fe[89ab][0-9a-f]:/.test(h)) return 'lan';
    return 'public';
  }
  return 'public';
}

/**
 * Issue #6: "the editor listens on the LAN only with a password". Throws before anything listens:
 * a public address or a host name is refused outright; a LAN address (or all interfaces) needs a bcrypt
 * password hash. Loopback without a password is allowed: reaching it already takes a shell on the gateway.
 */
export function assertEditorSecure(editor: EditorSecurity): void {
  if (!editor.enabled) return;
  const scope = hostScope(editor.host);
  if (scope === 'public')
    throw new UserError(
      'EDGE_NODERED_EDITOR_NOT_LAN',
      `nodeRed.editor.host "${editor.host}" is not a loopback or LAN IP address: the Node-RED editor listens on the home network only`,
    );
  if (editor.passwordHash !== undefined && !BCRYPT.test(editor.passwordHash))
    throw new UserError(
      'EDGE_NODERED_EDITOR_BAD_HASH',
      'nodeRed.editor.passwordHash must be a bcrypt hash ($2b$…, e.g. from `node-red admin hash-pw`)',
    );
  if (scope !== 'loopback' && editor.passwordHash === undefined)
    throw new UserError(
      'EDGE_NODERED_EDITOR_UNPROTECTED',
      `nodeRed.editor.host "${editor.host}" is reachable from the network: set nodeRed.editor.passwordHash (env ANJU_NODERED_PASSWORD_HASH) or bind 127.0.0.1`,
    );
}
