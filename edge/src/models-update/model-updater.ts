import { existsSync, renameSync, rmSync } from 'node:fs';
import {
  type CommandResult,
  EVENT_SCHEMA_VERSION,
  type ModelUpdateCommand,
  type ModelUpdateOutcome,
  type ModelUpdateReason,
} from '../../../contracts/src/index.ts';
import type { Logger } from '../log/logger.ts';
import type { Scorer } from '../scoring/scorer.ts';
import type { SwappableScorer } from '../scoring/swappable.scorer.ts';
import { downloadBundle, ModelUpdateError } from './bundle-download.ts';
import {
  fsyncDir,
  pruneVersions,
  stagingDir,
  verifyBundleDir,
  versionDir,
  writeActive,
} from './model-store.ts';
import type { UpdatableModel } from './updatable-model.ts';

export interface ModelUpdaterOptions {
  dataDir: string;
  /** The cloud link's URL (mqtt[s]://host:port): bundles are fetched only from that host. */
  cloudUrl: string;
  /** The gateway's MQTT credentials, reused as HTTP Basic credentials for the bundle. */
  gatewayId: string;
  secret: string;
  /** Live scorers that may be replaced, by model name, with how to load and test their models. */
  targets: ReadonlyMap<string, { scorer: SwappableScorer; model: UpdatableModel }>;
  /** Where each result goes (the cloud, on gw/<id>/cmd_result). */
  report: (result: CommandResult) => void;
  /** After a swap: e.g. send a heartbeat at once so the cloud sees the new version. */
  onSwapped?: (model: { name: string; version: string }) => void;
  log: Logger;
  now?: () => number;
  downloadTimeoutMs?: number;
  fetch?: typeof fetch;
}

export type ModelUpdateCounters = Record<ModelUpdateOutcome, number> & { received: number };

/**
 * Carries out `model_update` commands, one at a time: download into `<version>.staging`, verify every
 * file and the bundle hash (refused: nothing changed), check and load the model, run its self-test
 * (rolled back: the candidate is disposed, the live model never stopped), then swap it in between windows,
 * persist it as active (a restart keeps it), keep the previous version on disk and prune older ones.
 * Every command ends in exactly one CommandResult.
 */
export class ModelUpdater {
  readonly counters: ModelUpdateCounters = { received: 0, accepted: 0, refused: 0, rolled_back: 0 };
  private queue: Promise<unknown> = Promise.resolve();
  private readonly log: Logger;

  constructor(private readonly o: ModelUpdaterOptions) {
    this.log = o.log.child({ component: 'model-update' });
  }

  /** Queues the command; resolves with its result (also reported). Never rejects. */
  handle(command: ModelUpdateCommand): Promise<CommandResult> {
    this.counters.received++;
    const run = this.queue.then(() => this.run(command));
    this.queue = run;
    return run;
  }

  /** Waits for the commands queued so far (for stop()). */
  idle(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  private async run(cmd: ModelUpdateCommand): Promise<CommandResult> {
    const now = this.o.now ?? Date.now;
    const started = now();
    const { name, version } = cmd.model;
    const log = this.log.child({ commandId: cmd.id, model: name, version });
    log.info({ bundleSha256: cmd.bundleSha256 }, 'model update received');
    const target = this.o.targets.get(name);
    const finish = (outcome: ModelUpdateOutcome, reason: ModelUpdateReason, detail?: string) => {
      const result: CommandResult = {
        schema: EVENT_SCHEMA_VERSION,
        gatewayId: this.o.gatewayId,
        commandId: cmd.id,
        type: 'model_update',
        outcome,
        reason,
        ...(detail ? { detail: detail.slice(0, 300) } : {}),
        model: { name, version },
        activeVersion: target?.scorer.model.version ?? 'none',
        finishedAt: new Date(now()).toISOString(),
        durationMs: Math.max(0, Math.round(now() - started)),
      };
      this.counters[outcome]++;
      const fields = {
        outcome,
        reason,
        detail,
        activeVersion: result.activeVersion,
        counters: this.counters,
      };
      if (outcome === 'accepted') log.info(fields, 'model update accepted');
      else log.warn(fields, outcome === 'refused' ? 'model update refused' : 'model update rolled back');
      try {
        this.o.report(result);
      } catch (err) {
        log.warn({ err }, 'could not report the model update result');
      }
      return result;
    };

    if (!target) return finish('refused', 'unknown_model', `no ${name} scorer runs on this gateway`);
    if (target.scorer.model.version === version) return finish('accepted', 'already_active');
    const urlProblem = this.checkUrl(cmd.bundleUrl);
    if (urlProblem) return finish('refused', 'bad_url', urlProblem);

    const staging = stagingDir(this.o.dataDir, name, version);
    const installed = versionDir(this.o.dataDir, name, version);
    // 1. Get the bundle: reuse a verified copy of exactly this bundle (a rollback to the kept previous
    //    version), else download and verify into staging. Nothing live is touched until step 4.
    let dir = staging;
    try {
      if (existsSync(installed) && this.installedMatches(installed, cmd.bundleSha256)) dir = installed;
      else {
        const index = await downloadBundle({
          command: cmd,
          dir: staging,
          username: this.o.gatewayId,
          password: this.o.secret,
          timeoutMs: this.o.downloadTimeoutMs ?? 30_000,
          ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
        });
        try {
          target.model.checkBundle(staging, index, version);
        } catch (err) {
          throw new ModelUpdateError('bad_bundle', (err as Error).message, { cause: err });
        }
      }
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      const e = err instanceof ModelUpdateError ? err : new ModelUpdateError('storage_failed', String(err));
      return finish('refused', e.reason, e.message);
    }

    // 2. Load it (tfjs, from the verified files only). 3. Self-test it.
    let candidate: Scorer;
    try {
      candidate = await target.model.load(dir);
    } catch (err) {
      this.discard(dir, staging);
      return finish('rolled_back', 'load_failed', describe(err));
    }
    let failures: string[];
    try {
      failures = target.model.selfTest(candidate, dir);
    } catch (err) {
      failures = [describe(err)];
    }
    if (failures.length > 0) {
      candidate.dispose?.();
      this.discard(dir, staging);
      return finish('rolled_back', 'self_test_failed', failures.join('; '));
    }

    // 4. Make it live between two windows, then persist: the active record never names a version that
    //    was not live, and the previous one stays on disk for a rollback.
    try {
      if (dir === staging) {
        rmSync(installed, { recursive: true, force: true });
        renameSync(staging, installed);
        fsyncDir(`${installed}/..`);
      }
    } catch (err) {
      candidate.dispose?.();
      rmSync(staging, { recursive: true, force: true });
      return finish('refused', 'storage_failed', describe(err));
    }
    const replaced = await target.scorer.swap(candidate);
    const previous = replaced.version;
    try {
      writeActive(this.o.dataDir, name, { version, previous, activatedAt: new Date(now()).toISOString() });
      // Keep the new and the previous version (the shipped model lives in the repository, not here).
      const removed = pruneVersions(this.o.dataDir, name, [version, previous]);
      if (removed.length > 0) log.info({ removed }, 'older model versions removed');
    } catch (err) {
      // Live but not persisted: a restart would come back with the previous version. Say so.
      log.error({ err }, 'model is live but could not be recorded as active');
    }
    this.o.onSwapped?.({ name, version });
    return finish('accepted', 'swapped', `replaced ${previous}`);
  }

  /** Only from the host of the cloud link, and over TLS when the link is TLS. */
  private checkUrl(raw: string): string | undefined {
    let url: URL;
    let cloud: URL;
    try {
      url = new URL(raw);
      cloud = new URL(this.o.cloudUrl);
    } catch {
      return 'unparseable bundle URL';
    }
    if (url.hostname !== cloud.hostname)
      return `bundle host ${url.hostname} is not the cloud's (${cloud.hostname})`;
    if (cloud.protocol === 'mqtts:' && url.protocol !== 'https:')
      return 'bundle URL must be https over a TLS link';
    if (url.username || url.password) return 'bundle URL must not carry credentials';
    return undefined;
  }

  private installedMatches(dir: string, bundleSha256: string): boolean {
    try {
      return verifyBundleDir(dir).bundleSha256 === bundleSha256;
    } catch {
      return false;
    }
  }

  /** A rejected candidate: its download is removed (a kept installed version stays where it is). */
  private discard(dir: string, staging: string): void {
    if (dir === staging) rmSync(staging, { recursive: true, force: true });
  }
}

const describe = (err: unknown): string => {
  const e = err as Error & { cause?: Error };
  return e.cause?.message ? `${e.message}: ${e.cause.message}` : String(e.message ?? err);
};
