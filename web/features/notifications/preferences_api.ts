import type { ApiClient } from "../../lib/api_client.ts";
import { type ResponseOf, typedClient } from "../../lib/typed_client.ts";

/** The signed-in member's notification preferences. */
export type Preferences = ResponseOf<"GET /notifications/:orgId/preferences">["data"];
/** A rule event as the preferences name it. */
export type PreferenceEvent = keyof Preferences["events"];
/** What `save` sends: any of the fields. */
export type PreferencesPatch = Partial<Preferences>;

/** What each event means, in the words of the page (in the order shown). */
export const EVENT_LABELS: Record<PreferenceEvent, string> = {
  "findings.new": "New critical or high findings",
  "score.drop": "A score drop",
  "framework.readiness_below": "Framework readiness below a threshold",
  "job.failed": "A sync or analysis run failed",
  "instance.unreachable": "An instance cannot be reached",
  "suppression.expiring": "A suppression or risk acceptance expires soon",
  "report.ready": "A scheduled report is ready",
  "security.event": "A security event in the audit trail",
};

/** The page's API calls. */
export interface PreferencesApi {
  get(orgId: string): Promise<Preferences>;
  save(orgId: string, patch: PreferencesPatch): Promise<Preferences>;
}

/** The page's API calls through the typed client. */
export function createPreferencesApi(api: Pick<ApiClient, "request">): PreferencesApi {
  const call = typedClient(api);
  return {
    get: async (orgId) =>
      (await call("GET /notifications/:orgId/preferences", { params: { orgId } })).data,
    save: async (orgId, patch) =>
      (await call("PUT /notifications/:orgId/preferences", { params: { orgId }, body: patch }))
        .data,
  };
}
