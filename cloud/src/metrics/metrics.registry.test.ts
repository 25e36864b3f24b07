import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics.registry.ts';

describe('MetricsRegistry', () => {
  it('renders counters and gauges in the Prometheus text format', () => {
    const r = new MetricsRegistry();
    const events = r.counter('anju_events_ingested_total', 'Events stored', ['kind']);
    const dup = r.counter('anju_events_duplicate_total', 'Duplicates');
    const clients = r.gauge('anju_mqtt_clients_connected', 'Clients');
    events.inc({ kind: 'fall' });
    events.inc({ kind: 'fall' }, 2);
    events.inc({ kind: 'sos' });
    clients.set(3);
    clients.dec();
    expect(r.render()).toBe(
      [
        '# HELP anju_events_ingested_total Events stored',
        '# TYPE anju_events_ingested_total counter',
        'anju_events_ingested_total{kind="fall"} 3',
        'anju_events_ingested_total{kind="sos"} 1',
        '# HELP anju_events_duplicate_total Duplicates',
        '# TYPE anju_events_duplicate_total counter',
        'anju_events_duplicate_total 0',
        '# HELP anju_mqtt_clients_connected Clients',
        '# TYPE anju_mqtt_clients_connected gauge',
        'anju_mqtt_clients_connected 2',
        '',
      ].join('\n'),
    );
    expect(dup.get()).toBe(0);
    expect(events.get({ kind: 'fall' })).toBe(3);
  });

  it('escapes label values and refuses to count down', () => {
    const r = new MetricsRegistry();
    const c = r.counter('x_total', 'x', ['reason']);
    c.inc({ reason: 'a "quoted"\nvalue\\' });
    expect(r.render()).toContain('x_total{reason="a \\"quoted\\"\\nvalue\\\\"} 1');
    expect(() => c.inc({}, -1)).toThrow(RangeError);
    expect(() => r.counter('x_total', 'again')).toThrow(/twice/);
    expect(() => r.counter('bad-name', 'x')).toThrow(/invalid/);
  });
});
