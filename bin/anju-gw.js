#!/usr/bin/env -S node --max-semi-space-size=2
// The flag: edge/src/agent/node-flags.ts (AGENT_NODE_FLAGS; a test keeps the two in step).
// Starts the compiled agent (dist/) or, in a development checkout, its sources through tsx (bin/runtime.js
// says which and why).
import { loadEntry } from './runtime.js';

const { main } = await loadEntry('anju-gw', 'edge/src/cli/main.ts');
process.exitCode = await main(process.argv);
