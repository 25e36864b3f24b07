import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { basicCredentials, findNonFinite, findUnstorableInRequest } from './text-boundary.ts';

const req = (parts: Partial<Pick<FastifyRequest, 'params' | 'query' | 'headers' | 'body'>>) =>
  ({ params: {}, query: {}, headers: {}, body: undefined, ...parts }) as FastifyRequest;
const basic = (user: string, password = 's') =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the text boundary', () => {
  it('names where a NUL or a lone surrogate sits: path, query, header, Basic credentials, body', () => {
    expect(findUnstorableInRequest(req({ params: { id: 'a\u0000' } }))).toBe('params/id');
    expect(findUnstorableInRequest(req({ query: { residentId: '\uD800' } }))).toBe('query/residentId');
    expect(findUnstorableInRequest(req({ body: { name: ['ok', '\uDC00x'] } }))).toBe('body/name/1');
    expect(findUnstorableInRequest(req({ headers: { authorization: basic('gw\u0000x') } }))).toBe(
      'headers/authorization (Basic user name)',
    );
    expect(findUnstorableInRequest(req({ headers: { authorization: basic('gw-1', 'p\u0000') } }))).toBe(
      'headers/authorization (Basic password)',
    );
  });

  it('lets storable text through, a surrogate pair and U+FFFD included', () => {
    const ok = req({
      params: { id: '安居👵' },
      query: { q: "' OR '1'='1", r: '\uFFFD' },
      headers: { authorization: basic('gw-1') },
      body: { a: 'x' },
    });
    expect(findUnstorableInRequest(ok)).toBeUndefined();
  });

  it('decodes Basic credentials as the bundle routes read them', () => {
    expect(basicCredentials(basic('gw-1', 'a:b'))).toEqual({ user: 'gw-1', password: 'a:b' });
    expect(basicCredentials('Bearer x')).toBeUndefined();
    expect(basicCredentials(undefined)).toBeUndefined();
    expect(basicCredentials(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toEqual({
      user: '',
      password: '',
    });
  });

  it('finds numbers that are not finite (1e309 coerced to Infinity)', () => {
    expect(findNonFinite({ limit: Number('1e309') })).toBe('/limit');
    expect(findNonFinite({ a: [1, { b: -Infinity }] })).toBe('/a/1/b');
    expect(findNonFinite({ a: Number.NaN })).toBe('/a');
    expect(findNonFinite({ limit: 100, s: 'Infinity' })).toBeUndefined();
  });
});
