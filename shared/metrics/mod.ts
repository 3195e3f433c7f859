import client from "prom-client";

/** Request metrics for every function in this process, in Prometheus format. */
export const metricsRegistry: client.Registry = new client.Registry();

const requests = new client.Counter({
  name: "ciq_http_requests_total",
  help: "HTTP requests handled, by function, method, route and status",
  labelNames: ["function", "method", "route", "status"] as const,
  registers: [metricsRegistry],
});

const duration = new client.Histogram({
  name: "ciq_http_request_duration_seconds",
  help: "HTTP request latency in seconds, by function, method and route",
  labelNames: ["function", "method", "route"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/**
 * Records one finished request.
 *
 * @param labels function name, method, matched route pattern and status
 * @param seconds time spent handling it
 */
export function observeRequest(
  labels: { fn: string; method: string; route: string; status: number },
  seconds: number,
): void {
  requests.inc({
    function: labels.fn,
    method: labels.method,
    route: labels.route,
    status: String(labels.status),
  });
  duration.observe({ function: labels.fn, method: labels.method, route: labels.route }, seconds);
}

const cacheLookups = new client.Counter({
  name: "ciq_cache_lookups_total",
  help: "Cache lookups of cached aggregates, by cache and result (hit or miss)",
  labelNames: ["cache", "result"] as const,
  registers: [metricsRegistry],
});

/**
 * Records one cache lookup.
 *
 * @param cache what was looked up, e.g. `dashboard`
 * @param hit whether a cached value was found
 */
export function observeCacheLookup(cache: string, hit: boolean): void {
  cacheLookups.inc({ cache, result: hit ? "hit" : "miss" });
}

/** Connections of this process's database pool, as the Database facade hands them out. */
export const poolStats = { inUse: 0, waiting: 0, max: 0 };

new client.Gauge({
  name: "ciq_db_pool_connections_in_use",
  help: "Database connections reserved by a transaction or read in this process",
  registers: [metricsRegistry],
  collect() {
    this.set(poolStats.inUse);
  },
});

new client.Gauge({
  name: "ciq_db_pool_waiting",
  help: "Transactions waiting for a free database connection in this process",
  registers: [metricsRegistry],
  collect() {
    this.set(poolStats.waiting);
  },
});

new client.Gauge({
  name: "ciq_db_pool_max",
  help: "Size of this process's database pool (DB_POOL_MAX)",
  registers: [metricsRegistry],
  collect() {
    this.set(poolStats.max);
  },
});

const jobDuration = new client.Histogram({
  name: "ciq_job_duration_seconds",
  help: "Background jobs from start to their final state, by kind (e.g. instances.sync, " +
    "analysis.run) and final status",
  labelNames: ["kind", "status"] as const,
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
  registers: [metricsRegistry],
});

/**
 * Records a job that reached its final state in this process.
 *
 * @param kind the task kind
 * @param status succeeded or failed
 * @param seconds from the job's start to now
 */
export function observeJob(kind: string, status: "succeeded" | "failed", seconds: number): void {
  if (Number.isFinite(seconds) && seconds >= 0) jobDuration.observe({ kind, status }, seconds);
}

const outgoing = new client.Counter({
  name: "ciq_outgoing_requests_total",
  help: "Calls to other services (ServiceNow instances, webhooks), by target and outcome " +
    "(ok, client_error, server_error, rate_limited, network_error)",
  labelNames: ["target", "outcome"] as const,
  registers: [metricsRegistry],
});

/** The outcome label for a response status, or a network failure (`null`). */
export function outcomeOf(status: number | null): string {
  if (status === null) return "network_error";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server_error";
  if (status >= 400) return "client_error";
  return "ok";
}

/**
 * Records one outgoing call.
 *
 * @param target what was called, e.g. `servicenow`
 * @param status the response status, or null when no response came
 */
export function observeOutgoing(target: string, status: number | null): void {
  outgoing.inc({ target, outcome: outcomeOf(status) });
}

const queueDepth = new client.Gauge({
  name: "ciq_task_queue_depth",
  help: "Background jobs not finished, by status (queued, running), across all organizations",
  labelNames: ["status"] as const,
  registers: [metricsRegistry],
});

const queueAge = new client.Gauge({
  name: "ciq_task_queue_oldest_age_seconds",
  help: "Age of the oldest job still queued (0 when none is waiting)",
  registers: [metricsRegistry],
});

const syncsDue = new client.Gauge({
  name: "ciq_sync_schedule_due",
  help: "Scheduled syncs that are due and not started yet (the sync dispatcher's backlog)",
  registers: [metricsRegistry],
});

const syncsLag = new client.Gauge({
  name: "ciq_sync_schedule_lag_seconds",
  help: "How late the longest-waiting due scheduled sync is (0 when none is waiting)",
  registers: [metricsRegistry],
});

/** What {@linkcode setQueueGauges} is given, read from the jobs table at scrape time. */
export interface QueueReading {
  queued: number;
  running: number;
  oldestQueuedSeconds: number;
  /** Scheduled syncs due and not started. */
  syncsDue: number;
  /** Lag of the longest-waiting due scheduled sync. */
  oldestDueSyncSeconds: number;
}

/** Sets the queue gauges from a reading taken when `/metrics` is scraped. */
export function setQueueGauges(reading: QueueReading): void {
  queueDepth.set({ status: "queued" }, reading.queued);
  queueDepth.set({ status: "running" }, reading.running);
  queueAge.set(reading.oldestQueuedSeconds);
  syncsDue.set(reading.syncsDue);
  syncsLag.set(reading.oldestDueSyncSeconds);
}
