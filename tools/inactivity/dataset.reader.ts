import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * Reader for a folder of single-occupant smart-home logs in the format of ../shared/datasets/home:
 * `<home>.events.csv(.gz)` (timestamp,sensor,value ON/OFF) and optional `<home>.activities.csv(.gz)`
 * (start,end,activity). Timestamps are zone-less local times; they are kept as local wall time encoded as
 * if UTC (`Date.UTC`), so hours and weekdays read back with `utcAsLocal`.
 */
export interface SensorEvent {
  tMs: number;
  sensor: string;
  on: boolean;
}

export interface Activity {
  startMs: number;
  endMs: number;
  activity: string;
}

export interface HomeLog {
  home: string;
  events: SensorEvent[];
  /** Empty when the home has no activities file. */
  activities: Activity[];
}

const TS = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})/;

/** Local wall time as ms (as if UTC). */
export function parseLocalTime(s: string): number {
  const m = TS.exec(s.trim());
  if (!m) throw new Error(`not a timestamp: ${JSON.stringify(s)}`);
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, se);
}

function readText(path: string): string {
  const buf = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
}

function rows(text: string): string[][] {
  const lines = text.split(/\r?\n/);
  const out: string[][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]?.trim();
    if (line) out.push(line.split(','));
  }
  return out;
}

/** Homes in the folder, by name, sorted. */
export function listHomes(dir: string): string[] {
  const homes = new Set<string>();
  for (const f of readdirSync(dir)) {
    const m = /^(.+)\.events\.csv(\.gz)?$/.exec(f);
    if (m?.[1]) homes.add(m[1]);
  }
  return [...homes].sort();
}

function findFile(dir: string, base: string): string | undefined {
  const files = readdirSync(dir);
  for (const f of [`${base}.gz`, base]) if (files.includes(f)) return join(dir, f);
  return undefined;
}

export function readHome(dir: string, home: string): HomeLog {
  const eventsFile = findFile(dir, `${home}.events.csv`);
  if (!eventsFile) throw new Error(`${dir}: no ${home}.events.csv(.gz)`);
  const events: SensorEvent[] = [];
  for (const [ts, sensor, value] of rows(readText(eventsFile))) {
    if (!ts || !sensor || !value) continue;
    events.push({ tMs: parseLocalTime(ts), sensor, on: value.trim().toUpperCase() === 'ON' });
  }
  // Sorted by time in the format; a stable sort keeps same-second ON/OFF order if a new home is not.
  events.sort((a, b) => a.tMs - b.tMs);
  const activities: Activity[] = [];
  const actFile = findFile(dir, `${home}.activities.csv`);
  if (actFile)
    for (const [start, end, activity] of rows(readText(actFile))) {
      if (!start || !end || !activity) continue;
      activities.push({
        startMs: parseLocalTime(start),
        endMs: parseLocalTime(end),
        activity: activity.trim(),
      });
    }
  return { home, events, activities };
}
