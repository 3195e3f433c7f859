// The metrics live in shared/metrics so the database, task and ServiceNow
// layers can record theirs without depending on the HTTP layer.
export {
  metricsRegistry,
  observeCacheLookup,
  observeRequest,
  setQueueGauges,
} from "../metrics/mod.ts";
