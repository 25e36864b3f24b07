import { ManualClock } from '../../edge/src/clock.ts';
import {
  type BusReading,
  createObservationMapper,
  type DeviceBinding,
  InactivityScorer,
  type InactivityScorerOptions,
  type InactivityScorerState,
  ScorerRunner,
  utcAsLocal,
} from '../../edge/src/scoring/inactivity/index.ts';
import { type MeterSafetyOptions, MeterSafetyRules } from '../../edge/src/scoring/meter-safety/index.ts';
import type { Detection } from '../../edge/src/scoring/scorer.ts';
import type { SensorEvent } from './dataset.reader.ts';
import { fridgeCycles, type TimedReading } from './periodic-appliance.ts';
import { type MappedSensor, mapSensor } from './sensor.mapper.ts';

/**
 * Replays a home's log through the real scorers on a ManualClock: each log change becomes the reading the
 * drivers would publish, the edge mapper turns it into an observation, and the runners' timers fire the
 * scorers' checks at simulated time. Learning is online: the scorer only ever sees the past.
 *
 * At each injection time the scorer's state is saved (toJSON, through a JSON string, as a gateway restart
 * would) and a collapse is played from it: the person's sensors fall silent (a pressed mat is released:
 * the fall moves them off it) while the fridge goes on cycling, up to `horizonMs`.
 */
export interface ReplayOptions {
  scorer?: InactivityScorerOptions;
  safety?: MeterSafetyOptions;
  injectAtMs?: number[];
  horizonMs?: number;
  seed?: number;
  /** End of the synthetic fridge's cycles, and of the replay (default: the last event). */
  endMs?: number;
}

export interface InjectionResult {
  atMs: number;
  detection: Detection | undefined;
  /** For the diagnosis: mats pressed at the collapse, and the last person-made change before it. */
  pressed: string[];
  lastChange: { tMs: number; deviceId: string; role: string; room: string; active: boolean } | undefined;
}

export interface ReplayResult {
  inactivity: Detection[];
  safety: Detection[];
  injections: InjectionResult[];
  events: number;
  unmapped: Set<string>;
}

function* mergeByTime(a: Iterator<TimedReading>, b: Iterator<TimedReading>): Generator<TimedReading> {
  let x = a.next();
  let y = b.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && x.value.tMs <= y.value.tMs)) {
      yield x.value as TimedReading;
      x = a.next();
    } else {
      yield y.value;
      y = b.next();
    }
  }
}

function* logReadings(events: Iterable<SensorEvent>, unmapped: Set<string>): Generator<TimedReading> {
  const cache = new Map<string, MappedSensor | undefined>();
  for (const e of events) {
    if (!cache.has(e.sensor)) cache.set(e.sensor, mapSensor(e.sensor));
    const m = cache.get(e.sensor);
    if (!m) {
      unmapped.add(e.sensor);
      continue;
    }
    yield { tMs: e.tMs, device: m.device, input: m.toReading(e.tMs, e.on) };
  }
}

const HELD_ROLES = new Set(['bed', 'seat']);

/**
 * Devices that end their "on" by themselves, and how long after a collapse they do: a PIR reads "clear" about
 * a minute after the last motion (the person on the floor no longer moves in its view), a flush float once the
 * cistern refills, a microwave or toaster when its timer ends. A collapse does not stop these changes, so the
 * replay plays them (each is one more "sign of life" the scorer must not take for the person).
 */
const SELF_ENDING_MS: Record<string, number> = {
  motion: 60_000,
  toilet_flush: 60_000,
  kitchen_appliance: 3 * 60_000,
};

function offReading(input: BusReading, tMs: number): BusReading | undefined {
  switch (input.metric) {
    case 'motion':
      return { metric: 'motion', reading: { tMs, occupied: false } };
    case 'presence':
      return { metric: 'presence', reading: { tMs, active: false } };
    case 'power':
      return { metric: 'power', reading: { tMs, watts: 0 } };
    default:
      return undefined;
  }
}

function isOn(input: BusReading): boolean {
  switch (input.metric) {
    case 'motion':
      return input.reading.occupied;
    case 'presence':
      return input.reading.active;
    case 'power':
      return input.reading.watts > 0;
    default:
      return false;
  }
}

export function replayHome(
  events: Iterable<SensorEvent>,
  startMs: number,
  lastMs: number,
  o: ReplayOptions = {},
): ReplayResult {
  const scorerOptions: InactivityScorerOptions = { localOffset: utcAsLocal, ...o.scorer };
  const seed = o.seed ?? 1;
  const clock = new ManualClock(startMs);
  const scorer = new InactivityScorer(scorerOptions);
  const safety = new MeterSafetyRules({ localOffset: utcAsLocal, ...o.safety });
  const result: ReplayResult = { inactivity: [], safety: [], injections: [], events: 0, unmapped: new Set() };
  const runner = new ScorerRunner(scorer, clock, (d) => result.inactivity.push(d));
  const safetyRunner = new ScorerRunner(safety, clock, (d) => result.safety.push(d));
  runner.start();
  safetyRunner.start();
  const mapper = createObservationMapper();
  const pressed = new Map<string, DeviceBinding>();
  /** Self-ending devices that are on (their last reading), to end them after a collapse. */
  const running = new Map<string, TimedReading>();
  const injections = [...(o.injectAtMs ?? [])].sort((a, b) => a - b);
  let next = 0;
  let lastChange: InjectionResult['lastChange'];
  const stream = mergeByTime(
    logReadings(events, result.unmapped),
    fridgeCycles(startMs, o.endMs ?? lastMs, seed),
  );
  const inject = (upTo: number) => {
    while (next < injections.length && (injections[next] ?? 0) <= upTo) {
      const at = injections[next++] ?? 0;
      clock.advanceTo(at);
      const state = JSON.stringify(scorer.toJSON());
      result.injections.push({
        atMs: at,
        detection: playCollapse(state, at, [...pressed.values()], [...running.values()], o, seed + next),
        pressed: [...pressed.keys()],
        lastChange,
      });
    }
  };
  for (const r of stream) {
    inject(r.tMs);
    clock.advanceTo(r.tMs);
    if (r.device.id !== 'synthetic_fridge_plug') result.events++;
    if (HELD_ROLES.has(r.device.role) && r.input.metric === 'presence') {
      if (r.input.reading.active) pressed.set(r.device.id, r.device);
      else pressed.delete(r.device.id);
    }
    if (SELF_ENDING_MS[r.device.role] !== undefined) {
      if (isOn(r.input)) running.set(r.device.id, r);
      else running.delete(r.device.id);
    }
    const obs = mapper.map(r.device, r.input);
    if (!obs) continue;
    if (obs.person)
      lastChange = {
        tMs: obs.tMs,
        deviceId: obs.deviceId,
        role: obs.role,
        room: obs.room ?? '',
        active: obs.active,
      };
    runner.observe(obs);
    safetyRunner.observe(obs);
  }
  inject(Number.POSITIVE_INFINITY);
  runner.stop();
  safetyRunner.stop();
  return result;
}

function playCollapse(
  state: string,
  atMs: number,
  pressed: DeviceBinding[],
  running: TimedReading[],
  o: ReplayOptions,
  seed: number,
): Detection | undefined {
  const horizonMs = o.horizonMs ?? 24 * 3_600_000;
  const scorer = InactivityScorer.fromJSON(JSON.parse(state) as InactivityScorerState, {
    localOffset: utcAsLocal,
    ...o.scorer,
  });
  const clock = new ManualClock(atMs);
  let first: Detection | undefined;
  const runner = new ScorerRunner(scorer, clock, (d) => {
    if (!first && d.kind === 'inactivity') first = d;
  });
  runner.start();
  const mapper = createObservationMapper();
  for (const device of pressed) {
    const obs = mapper.map(device, { metric: 'presence', reading: { tMs: atMs, active: false } });
    if (obs) runner.observe(obs);
  }
  const ends: TimedReading[] = [];
  for (const r of running) {
    const t = atMs + (SELF_ENDING_MS[r.device.role] ?? 0);
    const input = offReading(r.input, t);
    if (input) ends.push({ tMs: t, device: r.device, input });
  }
  ends.sort((a, b) => a.tMs - b.tMs);
  for (const r of mergeByTime(ends.values(), fridgeCycles(atMs, atMs + horizonMs, seed * 7919))) {
    clock.advanceTo(r.tMs);
    if (first) break;
    const obs = mapper.map(r.device, r.input);
    if (obs) runner.observe(obs);
  }
  if (!first) clock.advanceTo(atMs + horizonMs);
  runner.stop();
  return first;
}
