import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';

/** One node of a Node-RED flow file, as far as the loader cares. */
export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  label?: string;
  env?: { name: string; value: unknown; type: string }[];
  [key: string]: unknown;
}

export type FlowEnv = Readonly<Record<string, string | number | boolean>>;

/**
 * Reads every `*.json` in `dir` (one flow tab per file, pretty-printed so diffs review well) and merges them
 * into the one array Node-RED loads. Files are taken in name order; node ids must be unique across files.
 * `flowEnv` replaces tab env variables by name (the installer's parameters); a name no tab declares is an
 * error, so a typo cannot silently leave a default in place.
 */
export function loadShippedFlows(dir: string, flowEnv: FlowEnv = {}): FlowNode[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const merged: FlowNode[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const nodes = parseFlowFile(join(dir, file), file);
    for (const n of nodes) {
      if (seen.has(n.id)) throw new UserError('EDGE_NODERED_FLOWS', `${file}: node id ${n.id} is used twice`);
      seen.add(n.id);
      merged.push(n);
    }
  }
  return applyFlowEnv(merged, flowEnv);
}

function parseFlowFile(path: string, file: string): FlowNode[] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError('EDGE_NODERED_FLOWS', `${file} is not JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!Array.isArray(value) || !value.every(isFlowNode))
    throw new UserError('EDGE_NODERED_FLOWS', `${file} must be an array of Node-RED nodes with id and type`);
  return value;
}

function isFlowNode(v: unknown): v is FlowNode {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as FlowNode).id === 'string' &&
    typeof (v as FlowNode).type === 'string'
  );
}

/** Returns a copy with the tab env values of `flowEnv` set (typed as str, num or bool). */
export function applyFlowEnv(nodes: readonly FlowNode[], flowEnv: FlowEnv): FlowNode[] {
  const unused = new Set(Object.keys(flowEnv));
  const out = nodes.map((n) => {
    if (n.type !== 'tab' || !n.env) return n;
    const env = n.env.map((e) => {
      if (!Object.hasOwn(flowEnv, e.name)) return e;
      unused.delete(e.name);
      const value = flowEnv[e.name];
      const type = typeof value === 'number' ? 'num' : typeof value === 'boolean' ? 'bool' : 'str';
      return { ...e, value: String(value), type };
    });
    return { ...n, env };
  });
  if (unused.size > 0)
    throw new UserError(
      'EDGE_NODERED_FLOW_ENV',
      `nodeRed.flowEnv names no shipped flow declares: ${[...unused].join(', ')} (see flows/README.md)`,
    );
  return out;
}
