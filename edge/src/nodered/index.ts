export type { AnjuBridge, BusPort, RaiseFn } from './anju.bridge.ts';
export type { AnjuOutPayload, AnjuOutRequest } from './anju-out.request.ts';
export { AnjuOutInvalidError, parseAnjuOutPayload } from './anju-out.request.ts';
export { assertEditorSecure, hostScope } from './editor.guard.ts';
export { loadShippedFlows } from './flows.loader.ts';
export type { EditorConfig, NodeRedConfig } from './nodered.config.ts';
export { NODERED_ENV_OVERRIDES, NodeRedConfigSchema } from './nodered.config.ts';
export type { NodeRedHandle, StartNodeRedOptions } from './nodered.runtime.ts';
export { ANJU_NODES_DIR, SHIPPED_FLOWS_DIR, startNodeRed } from './nodered.runtime.ts';
