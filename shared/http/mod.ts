export { asUser, createFunctionApp, requireUser } from "./app.ts";
export type {
  AppEnv,
  FunctionApp,
  FunctionAppOptions,
  RequireUserOptions,
  Services,
} from "./app.ts";
export type { GateOptions, Principal, WorkerVerifier } from "./gate.ts";
export { listRoutes, openApiDocument } from "./openapi.ts";
export type { DeclaredRoute, OpenApiInfo, RouteListing } from "./openapi.ts";
export {
  AUTH_KINDS,
  createRouteGroup,
  dataOf,
  declarationOf,
  errorBodySchema,
  pageOf,
} from "./route.ts";
export type {
  AuthKind,
  ResponseDeclaration,
  RouteDeclaration,
  RouteGroup,
  RouteHandler,
  RouteInput,
  RouteMethod,
} from "./route.ts";
export { HttpError, httpErrorFromPostgres } from "./errors.ts";
export type { ErrorBody, ErrorStatus, HttpErrorOptions } from "./errors.ts";
export { metricsRegistry, observeCacheLookup } from "./metrics.ts";
export { readJson, readParam, readQuery } from "./validate.ts";
export type { FieldProblem } from "./validate.ts";
export { rateLimit, refuseIfOver } from "./rate_limit.ts";
export type { RateLimitOptions, RateLimitPrincipal } from "./rate_limit.ts";
export { createMemoryRateLimiter, createRedisRateLimiter, rateLimiterFor } from "./rate_limiter.ts";
export type {
  RateLimitDecision,
  RateLimiter,
  RateLimitPolicy,
  RedisRateLimiterOptions,
} from "./rate_limiter.ts";
export { apiRateLimit, bearerPrincipal } from "./api_rate_limit.ts";
export { clientAddress, forwardedAddress, parseTrustedProxies } from "./client_address.ts";
export type { TrustedProxies } from "./client_address.ts";
export { streamProgress } from "./sse.ts";
export type { ProgressStreamOptions } from "./sse.ts";
