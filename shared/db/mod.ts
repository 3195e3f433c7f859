export { connectDatabase } from "./database.ts";
export type { Database, DatabaseOptions, PlannerSettings, Sql, Tx } from "./database.ts";
export { apiKeyClaims, workerClaims } from "./_claims.ts";
export type {
  ApiKeyClaims,
  JwtClaims,
  RequestClaims,
  TenantClaims,
  WorkerClaims,
} from "./_claims.ts";
export {
  currentRequestContext,
  requestContextJson,
  withRequestContext,
} from "./request_context.ts";
export type { ActorKind, RequestContext } from "./request_context.ts";
export { readPage } from "./page.ts";
export { decodeKeyset, decodeNewestFirst, keysetPage, newestFirst } from "./keyset.ts";
export type { Keyset } from "./keyset.ts";
