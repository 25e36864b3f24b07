#!/usr/bin/env node
// anju-cloud: runs the TypeScript entry point through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../cloud/src/cli.ts');
