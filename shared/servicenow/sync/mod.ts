/**
 * The sync engine: streams ServiceNow tables into `snow_records` (one
 * transaction per page, memory independent of table size), incremental on
 * `sys_updated_on` with an overlap window, time windows on append-only log
 * tables, delete detection through key scans, and per-table figures, as a
 * chunked, resumable background task. What follows a sync (an analysis) is
 * composed by the deployment through `SyncEngineDeps.afterSync`.
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
  FinishedSync,
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
  LOG_TABLES,
  syncPlanFromFields,
  SYSTEM_FIELDS,
  windowStart,
} from "./tables.ts";
export type {
  FieldKind,
  LogWindows,
  RecordFilter,
  SyncPlanOptions,
  SyncTableSpec,
} from "./tables.ts";
export { createSyncTask, SYNC_TASK_KIND } from "./task.ts";
export type { SyncTask } from "./task.ts";
export {
  clearSeenKeys,
  countRecords,
  deleteUnseen,
  expireRecords,
  normalizeRecord,
  recordSeenKeys,
  upsertRecords,
} from "./writer.ts";
export type { SeenKeysTarget, SnowRecord, TableTarget, UpsertOutcome } from "./writer.ts";
