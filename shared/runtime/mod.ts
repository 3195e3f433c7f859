export { createServicesFromEnv, verifierFromConfig } from "./services.ts";
export { type FetchHandler, serveFunction } from "./serve.ts";
export { TimeLimitError, withinTime } from "./time_limit.ts";
