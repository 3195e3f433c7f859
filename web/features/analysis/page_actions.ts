/**
 * What the Analysis page's buttons do beyond the model: mute a check, triage
 * or mute many findings; each says what happened and reloads scores and lists.
 *
 * @module
 */
import { errorMessage } from "../../lib/api_error.ts";
import type { ToastModel } from "../../lib/toast.ts";
import { type AnalysisApi, TRIAGE_LABELS, type TriageState } from "./analysis_api.ts";
import type { AnalysisModel } from "./analysis_model.ts";
import type { BulkMute } from "./bulk_actions.tsx";
import type { CheckMute } from "./checks_panel.tsx";

/** The page's actions. */
export interface PageActions {
  muteCheck(mute: CheckMute): Promise<void>;
  bulkTriage(ids: readonly string[], state: TriageState): Promise<void>;
  bulkMute(ids: readonly string[], mute: BulkMute): Promise<void>;
  /** Says `message` and reloads the run's scores and lists. */
  changed(message: string): Promise<void>;
}

/** An end-of-day expiry for a date picked in the form, as the API wants it. */
function expiry(date: string): { expires_at?: string } {
  return date ? { expires_at: new Date(`${date}T23:59:59`).toISOString() } : {};
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Creates the actions of one page.
 *
 * @param context the analysis API, the page's model, its organization and toasts
 */
export function createPageActions(
  context: { api: AnalysisApi; model: AnalysisModel; orgId: string; toasts: ToastModel },
): PageActions {
  const { api, model, toasts } = context;
  async function changed(message: string): Promise<void> {
    toasts.success(message);
    await model.refresh();
  }
  return {
    changed,
    async muteCheck(mute) {
      const details = { reason: mute.reason, owner_id: mute.ownerId, ...expiry(mute.expires) };
      try {
        await api.suppress(
          mute.orgWide
            ? { scope: "check_org", check_id: mute.check.check_id, org_id: context.orgId }
            : {
              scope: "check_instance",
              check_id: mute.check.check_id,
              instance_id: model.instanceId.value!,
            },
          details,
        );
      } catch (cause) {
        throw new Error(errorMessage(cause));
      }
      await changed(`“${mute.check.title}” muted`);
    },
    async bulkTriage(ids, state) {
      try {
        const result = await api.bulkTriage(ids, state, "");
        await changed(
          `${plural(result.updated, "finding")} set to ${TRIAGE_LABELS[state].toLowerCase()}` +
            (result.unchanged > 0 ? ` (${result.unchanged} already were)` : ""),
        );
      } catch (cause) {
        toasts.error("Triage not saved", errorMessage(cause));
      }
    },
    async bulkMute(ids, mute) {
      try {
        const result = await api.bulkMute(ids, {
          reason: mute.reason,
          owner_id: mute.ownerId,
          ...expiry(mute.expires),
        });
        await changed(
          `${plural(result.updated, "finding")} muted` +
            (result.unchanged > 0 ? ` (${result.unchanged} already were)` : ""),
        );
      } catch (cause) {
        throw new Error(errorMessage(cause));
      }
    },
  };
}
