#!/usr/bin/env -S node --max-semi-space-size=2
// The flag: edge/src/agent/node-flags.ts (AGENT_NODE_FLAGS; a test keeps the two in step).
// Runs the TypeScript sources directly (tsx), so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../edge/src/cli/main.ts');
process.exitCode = await main(process.argv);
