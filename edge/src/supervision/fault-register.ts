import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Evidence } from '../../../contracts/src/index.ts';
import { type DeviceFault, DeviceFaultEvidence } from '../../../contracts/src/index.ts';
import type { Logger } from '../log/logger.ts';
import { readJsonState, writeJsonState } from './json-state.ts';

/** A fault the gateway raised and has not cleared yet. */
export interface OpenFault {
  fault: DeviceFault;
  device: string;
  raisedAtMs: number;
}

/** What a detector says about one (fault, device): at fault, well, or not known yet (e.g. just started). */
export type Verdict = boolean | undefined;

/** Sends one device_health event (raised or cleared); resolves once it is in the outbox. */
export type SendFault = (f: {
  fault: DeviceFault;
  device: string;
  state: 'raised' | 'cleared';
  evidence: Evidence;
}) => Promise<void>;

const checkEvidence = TypeCompiler.Compile(DeviceFaultEvidence);
/** After the outbox refused a fault's event, try that one again after this long. */
const RETRY_AFTER_MS = 30_000;
const keyOf = (fault: DeviceFault, device: string) => `${fault}/${device}`;

/**
 * The faults that are open, kept in `<stateDir>/supervision.json` so an agent restart neither repeats a
 * raised fault nor forgets it: each (fault, device) is raised once and cleared once. A fault is cleared
 * only on a positive "well" verdict; "not known" (after a restart, before the device spoke) changes nothing.
 *
 * Order on a change: the in-memory state first (no double send), then the event to the outbox, then the
 * file. A power cut between the event and the file repeats the event after the restart rather than
 * losing it (the cloud keeps one case per (fault, device), so a repeat is harmless; a loss is not).
 */
export class FaultRegister {
  private readonly open = new Map<string, OpenFault>();
  private readonly inFlight = new Set<string>();
  /** (fault, device) whose last event the outbox refused → when to try again (a full disk must not be hammered). */
  private readonly retryAtMs = new Map<string, number>();

  constructor(
    private readonly path: string,
    private readonly send: SendFault,
    private readonly log: Logger,
  ) {
    const saved = readJsonState(path, (err) =>
      log.warn({ err, path }, 'supervision state unreadable; starting fresh'),
    );
    const list = (saved as { open?: unknown } | undefined)?.open;
    if (Array.isArray(list))
      for (const f of list as OpenFault[]) {
        const ok = checkEvidence.Check({ fault: f?.fault, device: f?.device, faultState: 'raised' });
        if (ok && typeof f.raisedAtMs === 'number') this.open.set(keyOf(f.fault, f.device), f);
        else log.warn({ entry: f }, 'supervision state entry skipped');
      }
    if (this.open.size) log.info({ open: [...this.open.keys()] }, 'open faults restored');
  }

  list(): OpenFault[] {
    return [...this.open.values()];
  }

  isOpen(fault: DeviceFault, device: string): boolean {
    return this.open.has(keyOf(fault, device));
  }

  /** Applies a detector's verdict; `evidence` is short (numbers, ids) and goes with the event. */
  async update(
    fault: DeviceFault,
    device: string,
    atFault: Verdict,
    nowMs: number,
    evidence: Evidence = {},
  ): Promise<void> {
    if (atFault === undefined) return;
    const key = keyOf(fault, device);
    if (this.inFlight.has(key) || atFault === this.open.has(key)) return;
    if (nowMs < (this.retryAtMs.get(key) ?? 0)) return;
    this.inFlight.add(key);
    const state = atFault ? 'raised' : 'cleared';
    const was = this.open.get(key);
    if (atFault) this.open.set(key, { fault, device, raisedAtMs: nowMs });
    else this.open.delete(key);
    try {
      await this.send({
        fault,
        device,
        state,
        evidence: {
          ...evidence,
          ...(was ? { faultForS: Math.round((nowMs - was.raisedAtMs) / 1000) } : {}),
        },
      });
      this.retryAtMs.delete(key);
      this.save();
      this.log.info(
        { fault, device, state },
        state === 'raised' ? 'device fault raised' : 'device fault cleared',
      );
    } catch (err) {
      // Not in the outbox: undo, so the next check tries again.
      if (atFault) this.open.delete(key);
      else if (was) this.open.set(key, was);
      const first = !this.retryAtMs.has(key);
      this.retryAtMs.set(key, nowMs + RETRY_AFTER_MS);
      if (first) this.log.error({ err, fault, device, state }, 'device fault event not stored; will retry');
      else this.log.debug({ fault, device, state }, 'device fault event still not stored');
    } finally {
      this.inFlight.delete(key);
    }
  }

  private save(): void {
    try {
      writeJsonState(this.path, { open: this.list() });
    } catch (err) {
      this.log.error({ err, path: this.path }, 'supervision state not saved');
    }
  }
}
