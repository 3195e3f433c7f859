export { connectDatabase } from "./database.ts";
export type { Database, DatabaseOptions, Sql, Tx } from "./database.ts";
export { workerClaims } from "./_claims.ts";
export type { JwtClaims, TenantClaims, WorkerClaims } from "./_claims.ts";
export {
  currentRequestContext,
  requestContextJson,
  withRequestContext,
} from "./request_context.ts";
export type { ActorKind, RequestContext } from "./request_context.ts";
