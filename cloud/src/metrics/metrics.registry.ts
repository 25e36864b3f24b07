/**
 * A small Prometheus registry: counters and gauges with labels, rendered in the text exposition format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/). Enough for our handful of series; swap
 * for prom-client if we ever need histograms.
 */
type Labels = Readonly<Record<string, string>>;

interface Series {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly labelNames: readonly string[];
  readonly values: Map<string, { labels: Labels; value: number }>;
}

export interface Counter<L extends string> {
  inc(labels?: Partial<Record<L, string>>, by?: number): void;
  get(labels?: Partial<Record<L, string>>): number;
}

export interface Gauge<L extends string> extends Counter<L> {
  set(value: number, labels?: Partial<Record<L, string>>): void;
  dec(labels?: Partial<Record<L, string>>, by?: number): void;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export class MetricsRegistry {
  readonly #series = new Map<string, Series>();

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    const s = this.#register(name, help, 'counter', labelNames);
    return {
      inc: (labels, by = 1) => {
        if (by < 0) throw new RangeError(`${name}: counters only go up`);
        this.#add(s, labels, by);
      },
      get: (labels) => this.#get(s, labels),
    };
  }

  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    const s = this.#register(name, help, 'gauge', labelNames);
    return {
      inc: (labels, by = 1) => this.#add(s, labels, by),
      dec: (labels, by = 1) => this.#add(s, labels, -by),
      set: (value, labels) => {
        const { key, full } = this.#key(s, labels);
        s.values.set(key, { labels: full, value });
      },
      get: (labels) => this.#get(s, labels),
    };
  }

  /** Text exposition format, version 0.0.4. */
  render(): string {
    const lines: string[] = [];
    for (const s of this.#series.values()) {
      lines.push(`# HELP ${s.name} ${escapeHelp(s.help)}`, `# TYPE ${s.name} ${s.type}`);
      // An unlabelled series is exported as 0 before its first increment, so dashboards see it exist.
      if (s.values.size === 0 && s.labelNames.length === 0) lines.push(`${s.name} 0`);
      for (const { labels, value } of s.values.values()) {
        const l = Object.entries(labels)
          .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
          .join(',');
        lines.push(`${s.name}${l ? `{${l}}` : ''} ${value}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  #register(name: string, help: string, type: Series['type'], labelNames: readonly string[]): Series {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    if (this.#series.has(name)) throw new Error(`metric ${name} registered twice`);
    const s: Series = { name, help, type, labelNames, values: new Map() };
    this.#series.set(name, s);
    return s;
  }

  #key(s: Series, labels: Partial<Record<string, string>> = {}): { key: string; full: Labels } {
    const full: Record<string, string> = {};
    for (const n of s.labelNames) full[n] = labels[n] ?? '';
    return { key: JSON.stringify(full), full };
  }

  #add(s: Series, labels: Partial<Record<string, string>> | undefined, by: number): void {
    const { key, full } = this.#key(s, labels);
    const cur = s.values.get(key);
    if (cur) cur.value += by;
    else s.values.set(key, { labels: full, value: by });
  }

  #get(s: Series, labels: Partial<Record<string, string>> | undefined): number {
    return s.values.get(this.#key(s, labels).key)?.value ?? 0;
  }
}

function escapeHelp(s: string): string {
  return s.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

function escapeLabel(s: string): string {
  return s.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
}
