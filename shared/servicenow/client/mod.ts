/**
 * ServiceNow Table API / Aggregate API client with typed errors.
 *
 * @module
 */

export {
  type ClientEvent,
  createServiceNowClient,
  type GroupCount,
  type HealthReport,
  type IterateRecordsOptions,
  type RecordBatch,
  type ServiceNowAuth,
  type ServiceNowClient,
  type ServiceNowClientOptions,
  type ServiceNowRecord,
  type TableAccess,
} from "./client.ts";
export {
  isServiceNowError,
  ServiceNowError,
  type ServiceNowErrorKind,
  type ServiceNowErrorOptions,
  type UnavailableReason,
} from "./errors.ts";
export {
  defaultSleep,
  RateLimiter,
  type RateLimiterOptions,
  Semaphore,
  type Sleep,
} from "./limits.ts";
