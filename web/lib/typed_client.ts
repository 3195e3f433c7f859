/**
 * The typed client: one `call` for every declared route. The route is named by
 * its key (`"GET /analysis/runs/:runId"`); its params, query and body types and
 * its success response's type are inferred from the route's declaration
 * (web/lib/api_routes.ts), so the web app cannot drift from the API. Requests go
 * through the app's {@linkcode ApiClient} (token, 401 refresh, error messages).
 *
 * @module
 */
import type { z } from "zod";
import type { ApiClient } from "./api_client.ts";
import type { Jsonified } from "./api_types.ts";
import type { RouteKey, RouteOf } from "./api_routes.ts";

type In<S> = S extends z.ZodType ? z.input<S> : undefined;
type Prop<R, P extends string> = R extends { [N in P]: infer V } ? V : undefined;

type SuccessSchema<R> = R extends { responses: infer Rs }
  ? Rs extends { 200: { schema: infer S } } ? S
  : Rs extends { 201: { schema: infer S } } ? S
  : Rs extends { 202: { schema: infer S } } ? S
  : undefined
  : undefined;

/** The JSON body of the route `K`'s success response (`void` when it has none). */
export type ResponseOf<K extends RouteKey> = SuccessSchema<RouteOf<K>> extends infer S
  ? S extends z.ZodType ? Jsonified<z.output<S>> : void
  : never;

type Field<Name extends string, T> = [T] extends [undefined] ? { [N in Name]?: undefined }
  : { [N in Name]: T };

/** What calling the route `K` takes: its declared params, query and body. */
export type InputOf<K extends RouteKey> =
  & Field<"params", In<Prop<RouteOf<K>, "params">>>
  & Field<"query", In<Prop<RouteOf<K>, "query">>>
  & (RouteOf<K> extends { bodyOptional: true } ? { body?: In<Prop<RouteOf<K>, "body">> }
    : Field<"body", In<Prop<RouteOf<K>, "body">>>)
  & { signal?: AbortSignal };

/** Calls one declared route. */
export type Call = <K extends RouteKey>(
  key: K,
  ...input: Partial<InputOf<K>> extends InputOf<K> ? [input?: InputOf<K>] : [input: InputOf<K>]
) => Promise<ResponseOf<K>>;

/**
 * The method and URL path of a route key with its params filled in (encoded).
 *
 * @param key e.g. `"GET /analysis/runs/:runId"`
 * @param params a value for every `:name` of the path
 */
export function resolveRoute(
  key: string,
  params: Record<string, unknown> = {},
): { method: string; path: string } {
  const space = key.indexOf(" ");
  const method = key.slice(0, space);
  const path = key.slice(space + 1).replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === null) throw new Error(`${key}: missing param ${name}`);
    return encodeURIComponent(`${value}`);
  });
  return { method, path };
}

function queryOf(query: unknown): Record<string, string | undefined> | undefined {
  if (query === undefined || query === null) return undefined;
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    out[name] = Array.isArray(value) ? value.join(",") : `${value}`;
  }
  return out;
}

/**
 * The typed `call` on the app's API client.
 *
 * @param api the app's API client (its transport and error handling)
 *
 * @example
 * ```ts
 * const call = typedClient(api);
 * const { data } = await call("GET /analysis/runs/:runId", { params: { runId } });
 * ```
 */
export function typedClient(api: Pick<ApiClient, "request">): Call {
  return (async (key: string, input: Record<string, unknown> = {}) => {
    const { method, path } = resolveRoute(key, input.params as Record<string, unknown>);
    return await api.request(method, path, {
      query: queryOf(input.query),
      body: input.body,
      signal: input.signal as AbortSignal | undefined,
    });
  }) as Call;
}
