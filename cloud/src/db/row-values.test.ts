import { describe, expect, it } from 'vitest';
import { textParam } from './row-values.ts';

describe('textParam (parameters as PostgreSQL text, as pg sends them)', () => {
  it('writes scalars, dates and JSON', () => {
    expect(textParam(null)).toBeNull();
    expect(textParam(undefined)).toBeNull();
    expect(textParam('a "b"')).toBe('a "b"');
    expect(textParam(42)).toBe('42');
    expect(textParam(10n)).toBe('10');
    expect(textParam(false)).toBe('false');
    expect(textParam(new Date('2024-05-06T19:00:00Z'))).toBe('2024-05-06T19:00:00.000Z');
    expect(textParam({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    expect(textParam(new Uint8Array([0, 255]))).toBe('\\x00ff');
  });

  it('writes array literals with every element quoted and escaped, NULL bare, nesting kept', () => {
    expect(textParam([])).toBe('{}');
    expect(textParam([1, 2, 7])).toBe('{"1","2","7"}');
    expect(textParam(['first_aid', 'a "q" \\ b', null])).toBe('{"first_aid","a \\"q\\" \\\\ b",NULL}');
    expect(textParam([[1, 2], [3]])).toBe('{{"1","2"},{"3"}}');
  });
});
