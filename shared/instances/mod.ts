/**
 * ServiceNow instances of an organization: URL normalization and SSRF checks,
 * credentials sealed with AES-256-GCM under a rotating keyring, connection
 * tests, sync runs, schedules and the `servicenow.sync` task of this
 * deployment (log tables to a time window; a full analysis queued after each
 * completed sync).
 *
 * @module
 */

export {
  checkInstanceHealth,
  clientAuth,
  type HealthReport,
  openInstanceClient,
} from "./connect.ts";
export {
  type AuthType,
  type CredentialsBinding,
  type CredentialsEnvelope,
  CredentialsError,
  generateKey,
  type InstanceCredentials,
  instanceCredentialsSchema,
  type Keyring,
  loadKeyring,
  secretValues,
} from "./credentials.ts";
export { rotateCredentials, type RotationReport } from "./rotate.ts";
export {
  catalogSyncPlan,
  type ClientTuning,
  configureInstanceRuntime,
  type InstanceRuntime,
  instanceRuntime,
  type InstanceRuntimeOptions,
} from "./runtime.ts";
export {
  createInstanceSchema,
  formatStoredSchedule,
  listInstancesQuerySchema,
  listSyncsQuerySchema,
  MIN_SYNC_INTERVAL_MINUTES,
  nextRuns,
  nextSyncAt,
  parseStoredSchedule,
  putScheduleSchema,
  scheduleSchema,
  startSyncSchema,
  type SyncSchedule,
  testConnectionSchema,
  testSavedConnectionSchema,
  updateInstanceSchema,
} from "./schemas.ts";
export {
  addInstance,
  editInstance,
  type InstanceServices,
  removeInstance,
  setSyncSchedule,
  startSync,
  testNewConnection,
  testSavedConnection,
} from "./service.ts";
export {
  authorizeInstance,
  getInstance,
  getSyncRun,
  INSTANCE_NOT_FOUND,
  type InstanceStatus,
  type InstanceTableState,
  type InstanceView,
  listInstances,
  listInstanceTables,
  listSyncRuns,
  type SyncRunDetail,
  type SyncRunStatus,
  type SyncRunSummary,
  type SyncTableResult,
} from "./store.ts";
export { syncTask } from "./sync_task.ts";
export {
  dispatchAfterSyncEnded,
  dispatchDueSyncs,
  type SyncDispatchDeps,
  type SyncDispatchLimits,
  syncDispatchLimits,
  type SyncDispatchReport,
} from "./sync_dispatch.ts";
export {
  assertPublicInstanceUrl,
  type HostResolver,
  InstanceUrlError,
  nonPublicReason,
  normalizeInstanceUrl,
  resolveHost,
} from "./url.ts";
export {
  healthReportSchema,
  instanceSchema,
  instanceTableSchema,
  queuedSyncSchema,
  syncRunDetailSchema,
  syncRunSummarySchema,
} from "./api_schemas.ts";
