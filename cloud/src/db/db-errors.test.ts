import { describe, expect, it } from 'vitest';
import { isDbUnavailable } from './db-errors.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDbUnavailable', () => {
  it('knows a server that is down, restarting or full', () => {
    expect(isDbUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isDbUnavailable(withCode('terminating connection due to administrator command', '57P01'))).toBe(
      true,
    );
    expect(isDbUnavailable(withCode('the database system is starting up', '57P03'))).toBe(true);
    expect(isDbUnavailable(withCode('connection failure', '08006'))).toBe(true);
    expect(isDbUnavailable(withCode('sorry, too many clients already', '53300'))).toBe(true);
    expect(isDbUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDbUnavailable(new Error('timeout expired'))).toBe(true); // pg's connect timeout
    // Node reports a refused dual-stack connect as an AggregateError of both attempts.
    const both = new AggregateError([withCode('x', 'ECONNREFUSED'), withCode('y', 'ECONNREFUSED')], '');
    expect(isDbUnavailable(both)).toBe(true);
    // Wrapped by a caller ({ cause }), as ingest does.
    expect(isDbUnavailable(new Error('could not commit', { cause: withCode('x', '57P01') }))).toBe(true);
  });

  it('does not take a wrong statement or bad data for an outage', () => {
    expect(isDbUnavailable(withCode('duplicate key value', '23505'))).toBe(false);
    expect(isDbUnavailable(withCode('column "nope" does not exist', '42703'))).toBe(false);
    expect(isDbUnavailable(withCode('invalid byte sequence', '22021'))).toBe(false);
    expect(isDbUnavailable(new Error('boom'))).toBe(false);
    expect(isDbUnavailable('ECONNREFUSED')).toBe(false);
    expect(isDbUnavailable(undefined)).toBe(false);
  });
});
