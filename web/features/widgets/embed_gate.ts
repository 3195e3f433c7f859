/**
 * Whether the plan lets the organization create another embed (the API
 * refuses with 402 otherwise; the page says so before anyone tries).
 *
 * @module
 */
import type { ApiClient } from "../../lib/api_client.ts";
import { typedClient } from "../../lib/typed_client.ts";

/** Why creating an embed is refused, or null when it is allowed. */
export interface EmbedGate {
  reason: string;
  upgradeTo: string | null;
}

/**
 * The plan's verdict on one more embed.
 *
 * @param overview the billing overview's plan, limits and upgrade
 * @param liveEmbeds live embeds now (the page's own count)
 */
export function embedGate(
  overview: {
    plan: { display_name: string; features: { embeds: boolean } };
    limits: { limit: string; allowed: number | null }[];
    upgrade_to: string | null;
  },
  liveEmbeds: number,
): EmbedGate | null {
  const upgradeTo = overview.upgrade_to;
  if (!overview.plan.features.embeds) {
    return {
      reason: `Your ${overview.plan.display_name} plan does not include embeds.`,
      upgradeTo,
    };
  }
  const allowed = overview.limits.find((l) => l.limit === "widget_embeds")?.allowed ?? null;
  if (allowed !== null && liveEmbeds >= allowed) {
    return {
      reason:
        `Your ${overview.plan.display_name} plan allows ${allowed} live embeds, and all are in use.`,
      upgradeTo,
    };
  }
  return null;
}

/**
 * Loads the billing overview for {@linkcode embedGate} (null when it cannot be read).
 *
 * @param api the app's API client
 * @param orgId the organization
 */
export async function loadBilling(
  api: Pick<ApiClient, "request">,
  orgId: string,
): Promise<Parameters<typeof embedGate>[0] | null> {
  try {
    return (await typedClient(api)("GET /billing/:orgId", { params: { orgId } })).data;
  } catch {
    return null;
  }
}
