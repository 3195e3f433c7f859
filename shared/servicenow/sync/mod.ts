/**
 * The sync engine: streams ServiceNow tables into `snow_records` (one
 * transaction per page, memory independent of table size), incremental on
 * `sys_updated_on` with an overlap window, delete detection through key scans,
 * and per-table figures, as a chunked, resumable background task.
 *
 * @module
 */

export { clientReader } from "./client_reader.ts";
export {
  closeStaleRuns,
  formatGlide,
  loadInstance,
  runSync,
  syncCursorSchema,
  syncPayloadSchema,
} from "./engine.ts";
export type {
  SyncCursor,
  SyncEngineDeps,
  SyncInstance,
  SyncPayload,
  SyncResult,
  SyncSettings,
} from "./engine.ts";
export { InstanceAuthError, TableUnavailableError } from "./reader.ts";
export type { ReadOptions, RecordPage, SnowTableReader } from "./reader.ts";
export {
  DEFAULT_SYNC_TABLES,
  DEFAULT_TABLE_FIELDS,
  syncPlanFromFields,
  SYSTEM_FIELDS,
} from "./tables.ts";
export type { FieldKind, RecordFilter, SyncTableSpec } from "./tables.ts";
export { createSyncTask, SYNC_TASK_KIND } from "./task.ts";
export type { SyncTask } from "./task.ts";
export {
  clearSeenKeys,
  countRecords,
  deleteUnseen,
  normalizeRecord,
  recordSeenKeys,
  upsertRecords,
} from "./writer.ts";
export type { SeenKeysTarget, SnowRecord, TableTarget, UpsertOutcome } from "./writer.ts";
