import type { ComponentChildren, JSX } from "preact";
import type { AnalysisApi, FindingFilters, Framework, RunDetail } from "./analysis_api.ts";
import type { AnalysisModel } from "./analysis_model.ts";
import type { Member } from "../../lib/api_types.ts";
import type { Action } from "../../../shared/permissions/mod.ts";
import { CatalogPanel } from "./catalog_panel.tsx";
import { ChecksPanel } from "./checks_panel.tsx";
import { CustomChecksPanel } from "./custom_checks_panel.tsx";
import { FindingsPanel } from "./findings_panel.tsx";
import type { PageActions } from "./page_actions.ts";
import { SummaryPanel } from "./summary_panel.tsx";

/** The tabs of the Analysis page. */
export type Tab = "summary" | "findings" | "checks" | "catalog" | "custom";

/** Props of {@linkcode ResultPanels}. */
export interface ResultPanelsProps {
  tab: Tab;
  /** The run shown, once it has results; the result tabs need one. */
  results: RunDetail | null;
  model: AnalysisModel;
  actions: PageActions;
  api: AnalysisApi;
  orgId: string;
  frameworks: readonly Framework[];
  defaultFramework: string | null;
  members: readonly Member[];
  userId: string;
  /** Whether the caller's role allows an action (the permission matrix). */
  allowed: (action: Action) => boolean;
  onChanged: (message: string) => void;
  onShowFindings: (patch: Partial<FindingFilters>) => void;
  onFramework: (frameworkId: string) => void;
  onOpenFinding: (findingId: string) => void;
  /** The findings tab's "Export" action. */
  findingsExport?: ComponentChildren;
}

/** The panel of the tab shown: summary, findings, checks, catalog or custom checks. */
export function ResultPanels(props: ResultPanelsProps): JSX.Element {
  return (
    <>
      {props.results && props.tab === "summary" && (
        <SummaryPanel
          run={props.results}
          frameworks={props.frameworks}
          defaultFramework={props.defaultFramework}
          onFilter={props.onShowFindings}
          onFramework={props.onFramework}
        />
      )}
      {props.results && props.tab === "findings" && (
        <FindingsPanel
          findings={props.model.findings.value}
          status={props.model.findingsStatus.value}
          error={props.model.findingsError.value}
          filters={props.model.filters.value}
          frameworks={props.frameworks}
          defaultFramework={props.defaultFramework}
          hasMore={props.model.nextCursor.value !== null}
          groups={props.model.groups.value}
          canAct={props.allowed("findings.triage")}
          members={props.members}
          currentUserId={props.userId}
          onBulkTriage={props.actions.bulkTriage}
          onBulkMute={props.actions.bulkMute}
          onFilter={(patch) => void props.model.setFilters(patch)}
          onMore={() => void props.model.loadMore()}
          onOpen={(f) => props.onOpenFinding(f.id)}
          onRetry={() => void props.model.setFilters({})}
          exportAction={props.findingsExport}
        />
      )}
      {props.results && props.tab === "checks" && (
        <ChecksPanel
          checks={props.model.checks.value}
          loading={props.model.checksStatus.value !== "ready"}
          canMute={props.allowed("suppressions.manage")}
          canMuteOrgWide={props.allowed("suppressions.manage_org_wide")}
          members={props.members}
          currentUserId={props.userId}
          onMute={props.actions.muteCheck}
          onShowFindings={(checkId) => props.onShowFindings({ check_id: checkId, status: [] })}
        />
      )}
      {props.tab === "catalog" && (
        <CatalogPanel
          api={props.api}
          orgId={props.orgId}
          canEdit={props.allowed("checks.configure")}
          onChanged={props.onChanged}
        />
      )}
      {props.tab === "custom" && (
        <CustomChecksPanel
          api={props.api}
          orgId={props.orgId}
          instanceId={props.model.instanceId.value}
          canEdit={props.allowed("custom_checks.write")}
          frameworks={props.frameworks}
          onChanged={props.onChanged}
        />
      )}
    </>
  );
}
