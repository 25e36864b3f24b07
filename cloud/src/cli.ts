import { main } from './main.ts';

// Entry point for bin/anju-cloud.js (kept apart from main.ts so importing main.ts has no side effects).
await main();
