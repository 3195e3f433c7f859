import { AsyncLocalStorage } from "node:async_hooks";

/** Who a request or a task acts as, for the audit trail. */
export type ActorKind =
  | "user"
  | "worker"
  | "api_key"
  | "billing_webhook"
  | "anonymous"
  | "service"
  | "system";

/**
 * What the audit trail records about the request a database write belongs to.
 * The gate sets it for every request; task runners set their own. The
 * Database layer hands it to Postgres as the transaction-local setting
 * `ciq.audit`, next to `request.jwt.claims`, where the audit triggers read it.
 */
export interface RequestContext {
  request_id?: string | null;
  ip?: string | null;
  user_agent?: string | null;
  actor_kind?: ActorKind;
  /** The user, API key, QStash message or webhook event that acts. */
  actor_id?: string | null;
  /** The permission-matrix action (or `task.<kind>`) the write is part of. */
  action?: string | null;
  /** The route pattern, e.g. `PATCH /organizations/:orgId/members/:userId`. */
  route?: string | null;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * Runs `fn` with `context` as the current request context (merged over the
 * outer one, so a task inside a request keeps the request id).
 *
 * @param context what to record
 * @param fn the work
 */
export function withRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, fn);
}

/** The current request context, if any. */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** The current context as the JSON Postgres reads (`{}` outside any request). */
export function requestContextJson(): string {
  return JSON.stringify(storage.getStore() ?? {});
}
