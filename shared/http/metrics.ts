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
