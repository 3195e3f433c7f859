export { asUser, createFunctionApp, requireUser } from "./app.ts";
export type { AppEnv, FunctionApp, Services } from "./app.ts";
export { HttpError, httpErrorFromPostgres } from "./errors.ts";
export type { ErrorBody, ErrorStatus, HttpErrorOptions } from "./errors.ts";
export { metricsRegistry } from "./metrics.ts";
export { readJson, readParam, readQuery } from "./validate.ts";
export type { FieldProblem } from "./validate.ts";
export { rateLimit } from "./rate_limit.ts";
export type { RateLimitOptions } from "./rate_limit.ts";
