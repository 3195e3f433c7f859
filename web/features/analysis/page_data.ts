/**
 * The Analysis page's hooks: what it loads besides the model (frameworks,
 * members, the organization's default framework), and its shareable URL.
 *
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { useApp } from "../../app/services.ts";
import type { Member } from "../../lib/api_types.ts";
import type { AnalysisApi, Framework } from "./analysis_api.ts";
import type { AnalysisModel } from "./analysis_model.ts";

/**
 * Loads the model (the instance and run asked for, else the first), the
 * frameworks, the members and the default framework; disposes the model on
 * leaving. Findings open filtered to the default framework until the user
 * picks one; a saved id the catalog no longer has is ignored.
 *
 * @param model the page's model
 * @param analysis the analysis endpoints
 * @param preferred instance and run from the URL
 */
export function usePageData(
  model: AnalysisModel,
  analysis: AnalysisApi,
  preferred: { instanceId?: string; runId?: string },
): { frameworks: Framework[]; members: Member[]; knownDefault: string | null } {
  const { api, orgs } = useApp();
  const orgId = orgs.current.value!.id;
  const [frameworks, setFrameworks] = useState<Framework[]>([]);
  const [members, setMembers] = useState<Member[]>([]);
  const [defaultFramework, setDefaultFramework] = useState<string | null>(null);

  useEffect(() => {
    void model.load(preferred);
    analysis.frameworks().then(setFrameworks, () => setFrameworks([]));
    analysis.members(orgId).then(setMembers, () => setMembers([]));
    // Without the organization's settings the page works as if it had no default.
    api.organizations.get(orgId).then(
      (detail) => setDefaultFramework(detail.settings.default_framework),
      () => setDefaultFramework(null),
    );
    return () => model.dispose();
  }, [model]);

  const knownDefault = frameworks.some((f) => f.id === defaultFramework) ? defaultFramework : null;
  useEffect(() => {
    if (knownDefault) void model.applyDefaultFramework(knownDefault);
  }, [model, knownDefault]);

  return { frameworks, members, knownDefault };
}

/**
 * Keeps the URL shareable: instance, run and tab (the summary is the default).
 *
 * @param state what the page shows
 */
export function useShareableUrl(
  state: { instanceId: string | null; runId: string | null; tab: string },
): void {
  const { query, route, path } = useLocation();
  useEffect(() => {
    const params = new URLSearchParams();
    if (state.instanceId) params.set("instance", state.instanceId);
    if (state.runId) params.set("run", state.runId);
    if (state.tab !== "summary") params.set("tab", state.tab);
    const next = `${path}?${params}`;
    if (next !== `${path}?${new URLSearchParams(query as Record<string, string>)}`) {
      route(next, true);
    }
  }, [state.instanceId, state.runId, state.tab]);
}
