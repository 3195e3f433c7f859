import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { RefreshCw, Server, ShieldCheck } from "lucide";
import { Button } from "../../components/button.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { Loader } from "../../components/loader.tsx";
import { useApp } from "../../app/services.ts";
import { can } from "../../../shared/permissions/mod.ts";
import { typedClient } from "../../lib/typed_client.ts";
import { createJobWatcher } from "../instances/instances_model.ts";
import { createAnalysisApi } from "./analysis_api.ts";
import { createAnalysisModel } from "./analysis_model.ts";
import { ActivityPanel } from "./activity_panel.tsx";
import { FindingDrawer } from "./finding_drawer.tsx";
import { FrameworkModal } from "./framework_modal.tsx";
import { createPageActions } from "./page_actions.ts";
import { ResultPanels, type Tab } from "./result_panels.tsx";
import { RunBar } from "./run_bar.tsx";
import { RunControls } from "./run_controls.tsx";
import { usePageData, useShareableUrl } from "./page_data.ts";
import { runCounts } from "./run_counts.ts";
import { createRunWatcher } from "./run_watcher.ts";
import { Tabs } from "./ui.tsx";
import { ExportMenu } from "../reports/export_menu.tsx";
import { findingsSpec, frameworkSpec } from "../reports/export_specs.ts";

/** `/app/analysis`: run the catalog, see scores, findings and checks, write custom checks. */
export function AnalysisPage(): JSX.Element {
  const { api, orgs, session, toasts, config } = useApp();
  const { query } = useLocation();
  const org = orgs.current.value!;
  const role = orgs.role.value ?? "viewer";
  const userId = session.user.value!.id;
  const canRun = can(role, "runs.start");
  const analysis = useMemo(() => createAnalysisApi(api), [api]);
  const model = useMemo(
    () =>
      createAnalysisModel(analysis, {
        orgId: org.id,
        watchRun: createRunWatcher({
          functionsUrl: config.functionsUrl,
          accessToken: () => session.accessToken(),
          poll: (id) => analysis.progress(id),
        }),
        watchJob: createJobWatcher({
          functionsUrl: config.functionsUrl,
          accessToken: () => session.accessToken(),
          poll: (id) =>
            typedClient(api)("GET /tasks/jobs/:jobId", { params: { jobId: id } }).then((r) =>
              r.data
            ),
        }),
        onAccessChanged: () => void orgs.reload(),
      }),
    [org.id],
  );
  const actions = useMemo(
    () => createPageActions({ api: analysis, model, orgId: org.id, toasts }),
    [model],
  );
  const [tab, setTab] = useState<Tab>(
    (["summary", "findings", "checks", "catalog", "custom"] as const).find((t) =>
      t === query.tab
    ) ??
      "summary",
  );
  const [findingId, setFindingId] = useState<string | null>(query.finding ?? null);
  const [frameworkId, setFrameworkId] = useState<string | null>(null);
  const { frameworks, members, knownDefault } = usePageData(model, analysis, {
    instanceId: query.instance,
    runId: query.run,
  });

  const run = model.run.value;
  /** The run whose results the result tabs show; until there is one, only the catalog tabs. */
  const results = run && run.scores ? run : null;
  const shownTab: Tab = results || tab === "catalog" || tab === "custom" ? tab : "catalog";
  const live = model.live.value;
  const running = model.running.value;
  const checksStatus = model.checksStatus.value;

  // The checks load with the tab, and again whenever the run shown changes.
  useEffect(() => {
    if (tab === "checks" && run && checksStatus === "idle") void model.loadChecks();
  }, [tab, run?.id, checksStatus]);

  useShareableUrl({ instanceId: model.instanceId.value, runId: run?.id ?? null, tab });

  function showFindings(patch: Parameters<typeof model.setFilters>[0]): void {
    setTab("findings");
    void model.setFilters({ ...patch });
  }

  const instances = model.instances.value;
  const status = model.status.value;
  const sync = model.sync.value;
  const counts = results ? runCounts(results) : null;
  // Exports cover the run shown, through the reports task (analysts and above).
  const exportTarget = results && can(role, "reports.generate")
    ? { orgId: org.id, instanceId: results.instance_id, runId: results.id }
    : null;

  return (
    <>
      <PageHeader
        title="Analysis"
        description="Run the check catalog against an instance's synced data, and follow scores, findings and their evidence."
        actions={canRun && instances.length > 0 && (
          <RunControls
            frameworks={frameworks}
            disabled={running || model.sync.value !== null || !model.instanceId.value}
            onStart={(scope) => model.start(scope)}
            toasts={toasts}
          />
        )}
      />

      {status === "loading" && instances.length === 0 && <Loader label="Loading the analysis" />}
      {status === "error" && (
        <EmptyState
          tone="error"
          title="We couldn't load the analysis"
          description={model.error.value}
          action={
            <Button icon={RefreshCw} variant="secondary" onClick={() => void model.load()}>
              Try again
            </Button>
          }
        />
      )}
      {status !== "error" && status !== "loading" && instances.length === 0 && (
        <EmptyState
          icon={Server}
          title="No instance to analyse yet"
          description="Connect a ServiceNow instance; once it has synced, its analysis appears here."
          action={<Button href="/app/instances">Go to instances</Button>}
        />
      )}

      {instances.length > 0 && (
        <div class="space-y-6">
          <RunBar
            instances={instances}
            instanceId={model.instanceId.value}
            runs={model.runs.value}
            run={run}
            frameworks={frameworks}
            onInstance={(id) => void model.selectInstance(id)}
            onRun={(id) => void model.selectRun(id)}
          />

          <ActivityPanel sync={sync} live={live} running={running} first={!results} />

          {!run && !running && !sync && status === "ready" && (
            <EmptyState
              icon={ShieldCheck}
              title="Not analysed yet"
              description={canRun
                ? "Run the analysis to see scores and findings. It evaluates every enabled check against the latest synced data."
                : "An analyst, admin or owner can run the analysis."}
            />
          )}

          {(results || status === "ready") && (
            <>
              <Tabs<Tab>
                label={results ? "Analysis results" : "Checks"}
                current={shownTab}
                onSelect={setTab}
                tabs={[
                  ...(results
                    ? [
                      { id: "summary" as const, label: "Summary" },
                      {
                        id: "findings" as const,
                        label: "Findings",
                        count: counts!.failingFindings,
                      },
                      { id: "checks" as const, label: "Checks", count: counts!.ran },
                    ]
                    : []),
                  { id: "catalog", label: "Catalog" },
                  { id: "custom", label: "Custom checks" },
                ]}
              />
              <div
                role="tabpanel"
                id={`panel-${shownTab}`}
                aria-labelledby={`tab-${shownTab}`}
                tabIndex={0}
              >
                <ResultPanels
                  tab={shownTab}
                  results={results}
                  model={model}
                  actions={actions}
                  api={analysis}
                  orgId={org.id}
                  frameworks={frameworks}
                  defaultFramework={knownDefault}
                  members={members}
                  userId={userId}
                  allowed={(action) => can(role, action)}
                  onChanged={(message) => toasts.success(message)}
                  onShowFindings={showFindings}
                  onFramework={setFrameworkId}
                  onOpenFinding={setFindingId}
                  findingsExport={exportTarget && (
                    <ExportMenu
                      label="Export findings"
                      spec={() => findingsSpec(exportTarget, model.filters.value)}
                    />
                  )}
                />
              </div>
            </>
          )}
        </div>
      )}

      {run && (
        <FrameworkModal
          api={analysis}
          runId={run.id}
          frameworkId={frameworkId}
          onClose={() => setFrameworkId(null)}
          onShowFindings={(id) => {
            setFrameworkId(null);
            showFindings({ framework: id });
          }}
          exportAction={exportTarget
            ? (framework) => (
              <ExportMenu
                label="Export framework report"
                spec={() => frameworkSpec(exportTarget, framework)}
                formats={["pdf", "xlsx", "csv"]}
              />
            )
            : undefined}
        />
      )}
      <FindingDrawer
        findingId={findingId}
        api={analysis}
        canAct={can(role, "findings.triage")}
        members={members}
        currentUserId={userId}
        frameworks={frameworks}
        onClose={() => setFindingId(null)}
        onChanged={(message) => void actions.changed(message)}
        onError={(title, message) => toasts.error(title, message)}
      />
    </>
  );
}
