import { z } from "zod";
import {
  createApiKey,
  createApiKeySchema,
  listApiKeys,
  revokeApiKey,
} from "../../../shared/api_keys/mod.ts";
import { createRouteGroup, dataOf, pageOf, type Services } from "../../../shared/http/mod.ts";
import { apiKeySchema, createdApiKeySchema } from "../schemas.ts";

const orgParams = z.object({ orgId: z.uuid() });
/** Query of `GET /:orgId/api-keys`: 50 a page by default, at most 200. */
const listApiKeysQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(1000).optional(),
}).strict();
const keyParams = z.object({ orgId: z.uuid(), keyId: z.uuid() });

/**
 * `/:orgId/api-keys`: the organization's API keys (admins). User routes only:
 * a key can neither see nor make nor revoke keys.
 */
// deno-lint-ignore explicit-module-boundary-types -- the inferred type carries the declarations for the web client
export function apiKeysRoutes(services: Services) {
  return createRouteGroup()
    .on(
      {
        method: "get",
        path: "/:orgId/api-keys",
        summary: "The organization's API keys: role, expiry, last use, calls today",
        auth: "user",
        permission: "api_keys.read",
        params: orgParams,
        query: listApiKeysQuerySchema,
        responses: {
          200: {
            description: "A page of keys, newest first (revoked ones included)",
            schema: pageOf(apiKeySchema),
          },
        },
      },
      async (c, { params, query }) =>
        c.json(await listApiKeys(services, c.get("claims"), params.orgId, query)),
    )
    .on({
      method: "post",
      path: "/:orgId/api-keys",
      summary:
        "Create an API key with the viewer or analyst role; the key is shown only in this answer",
      auth: "user",
      permission: "api_keys.manage",
      params: orgParams,
      body: createApiKeySchema,
      responses: {
        201: {
          description: "The key (shown once) and its record",
          schema: dataOf(createdApiKeySchema),
        },
      },
    }, async (c, { params, body }) => {
      const data = await createApiKey(services.db, c.get("claims"), params.orgId, body);
      c.header("Cache-Control", "no-store");
      return c.json({ data }, 201);
    })
    .on(
      {
        method: "post",
        path: "/:orgId/api-keys/:keyId/revoke",
        summary: "Revoke an API key: refused from its next request on",
        auth: "user",
        permission: "api_keys.manage",
        params: keyParams,
        responses: { 200: { description: "The revoked key", schema: dataOf(apiKeySchema) } },
      },
      async (c, { params }) =>
        c.json({ data: await revokeApiKey(services, c.get("claims"), params.orgId, params.keyId) }),
    );
}
