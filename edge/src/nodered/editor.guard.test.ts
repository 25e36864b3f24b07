import { describe, expect, it } from 'vitest';
import { assertEditorSecure, hostScope } from './editor.guard.ts';

const HASH = '$2b$08$Z6lJcfKB5b9rQb3Y2q3nXeOeC2n3sBvlDhPp8Vq7mZQm1J8HkJx5e';

describe('editor guard', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['localhost', 'loopback'],
    ['::1', 'loopback'],
    ['192.168.1.20', 'lan'],
    ['10.0.0.2', 'lan'],
    ['172.20.1.1', 'lan'],
    ['fd12:3456::1', 'lan'],
    ['0.0.0.0', 'any'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['gateway.local', 'public'],
  ])('%s is %s', (host, scope) => expect(hostScope(host)).toBe(scope));

  it('lets a disabled editor and a loopback editor without password pass', () => {
    expect(() => assertEditorSecure({ enabled: false, host: '8.8.8.8' })).not.toThrow();
    expect(() => assertEditorSecure({ enabled: true, host: '127.0.0.1' })).not.toThrow();
  });

  it('refuses a LAN editor without a password, and any public address', () => {
    expect(() => assertEditorSecure({ enabled: true, host: '192.168.1.20' })).toThrow(/passwordHash/);
    expect(() => assertEditorSecure({ enabled: true, host: '0.0.0.0' })).toThrow(/passwordHash/);
    expect(() => assertEditorSecure({ enabled: true, host: '8.8.8.8', passwordHash: HASH })).toThrow(/LAN/);
    expect(() => assertEditorSecure({ enabled: true, host: '192.168.1.20', passwordHash: 'secret' })).toThrow(
      /bcrypt/,
    );
  });

  it('lets a LAN editor with a bcrypt password hash pass', () => {
    expect(() =>
      assertEditorSecure({ enabled: true, host: '192.168.1.20', passwordHash: HASH }),
    ).not.toThrow();
  });
});
