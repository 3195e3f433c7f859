/**
 * The API keys page's rules, apart from the components so they can be tested:
 * expiry choices, how a key's state reads, and the API calls.
 *
 * @module
 */
import type { ApiClient } from "../../lib/api_client.ts";
import { allPages } from "../../lib/all_pages.ts";
import { type ResponseOf, typedClient } from "../../lib/typed_client.ts";

/** A key as the list shows it. */
export type ApiKeyItem = ResponseOf<"GET /organizations/:orgId/api-keys">["data"][number];
/** The answer to creating a key: the whole key, this once. */
export type CreatedApiKey = ResponseOf<"POST /organizations/:orgId/api-keys">["data"];
/** A role a key can have. */
export type ApiKeyRole = ApiKeyItem["role"];

/** Expiry choices of the create form, in days; 0 = never. */
export const EXPIRY_CHOICES: ReadonlyArray<{ value: string; label: string; days: number }> = [
  { value: "30", label: "In 30 days", days: 30 },
  { value: "90", label: "In 90 days", days: 90 },
  { value: "365", label: "In a year", days: 365 },
  { value: "never", label: "Never (until revoked)", days: 0 },
];

/** What each role lets a key do, for the form's hint. */
export const KEY_ROLE_HINTS: Record<ApiKeyRole, string> = {
  viewer: "Reads instances, runs, findings, dashboards and insights.",
  analyst: "Reads like a viewer, and also starts syncs and analysis runs.",
};

/**
 * The expiry to send for a choice: an ISO time `days` after `now`, or null.
 *
 * @param choice a value of {@linkcode EXPIRY_CHOICES}
 * @param now the current time
 */
export function expiryFor(choice: string, now: Date = new Date()): string | null {
  const days = EXPIRY_CHOICES.find((c) => c.value === choice)?.days ?? 0;
  return days > 0 ? new Date(now.getTime() + days * 86_400_000).toISOString() : null;
}

/** Badge tone and label of a key's state. */
export function statusBadge(
  key: Pick<ApiKeyItem, "status">,
): { tone: "success" | "warning" | "neutral"; label: string } {
  if (key.status === "active") return { tone: "success", label: "Active" };
  if (key.status === "expired") return { tone: "warning", label: "Expired" };
  return { tone: "neutral", label: "Revoked" };
}

/** The API calls of the page. */
export interface ApiKeysApi {
  list(orgId: string): Promise<ApiKeyItem[]>;
  create(
    orgId: string,
    input: { name: string; role: ApiKeyRole; expires_at: string | null },
  ): Promise<CreatedApiKey>;
  revoke(orgId: string, keyId: string): Promise<ApiKeyItem>;
}

/**
 * The page's API calls through the typed client.
 *
 * @param api the app's API client
 */
export function createApiKeysApi(api: Pick<ApiClient, "request">): ApiKeysApi {
  const call = typedClient(api);
  return {
    // Every key, page after page; live keys first, as the page lists them.
    list: async (orgId) => {
      const all = await allPages((cursor) =>
        call("GET /organizations/:orgId/api-keys", {
          params: { orgId },
          query: { limit: 200, cursor },
        })
      );
      return all.toSorted((a, b) =>
        Number(a.status === "revoked") - Number(b.status === "revoked")
      );
    },
    create: async (orgId, body) =>
      (await call("POST /organizations/:orgId/api-keys", { params: { orgId }, body })).data,
    revoke: async (orgId, keyId) =>
      (await call("POST /organizations/:orgId/api-keys/:keyId/revoke", {
        params: { orgId, keyId },
      })).data,
  };
}
