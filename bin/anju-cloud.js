#!/usr/bin/env node
// anju-cloud: starts the compiled cloud (dist/) or, in a development checkout, its sources through tsx
// (bin/runtime.js says which and why).
import { loadEntry } from './runtime.js';

await loadEntry('anju-cloud', 'cloud/src/cli.ts');
