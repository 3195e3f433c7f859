import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { Play, RefreshCw, Server, ShieldCheck } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { Loader } from "../../components/loader.tsx";
import { ProgressBar } from "../../components/progress_bar.tsx";
import { Select } from "../../components/select.tsx";
import { useApp } from "../../app/services.ts";
import { errorMessage } from "../../lib/api_error.ts";
import type { Member } from "../../lib/api_types.ts";
import { can } from "../../../shared/permissions/mod.ts";
import { createAnalysisApi, type Framework, type RunScope } from "./analysis_api.ts";
import { createAnalysisModel } from "./analysis_model.ts";
import { CatalogPanel } from "./catalog_panel.tsx";
import { type CheckMute, ChecksPanel } from "./checks_panel.tsx";
import { CustomChecksPanel } from "./custom_checks_panel.tsx";
import { FindingDrawer } from "./finding_drawer.tsx";
import { FindingsPanel } from "./findings_panel.tsx";
import { FrameworkModal } from "./framework_modal.tsx";
import { createRunWatcher } from "./run_watcher.ts";
import { SummaryPanel } from "./summary_panel.tsx";
import { formatDateTime, Tabs } from "./ui.tsx";

type Tab = "summary" | "findings" | "checks" | "catalog" | "custom";

/** `/app/analysis`: run the catalog, see scores, findings and checks, write custom checks. */
export function AnalysisPage(): JSX.Element {
  const { api, orgs, session, toasts, config } = useApp();
  const { query, route, path } = useLocation();
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
        onAccessChanged: () => void orgs.reload(),
      }),
    [org.id],
  );
  const [tab, setTab] = useState<Tab>(
    (["summary", "findings", "checks", "catalog", "custom"] as const).find((t) =>
      t === query.tab
    ) ??
      "summary",
  );
  const [frameworks, setFrameworks] = useState<Framework[]>([]);
  const [members, setMembers] = useState<Member[]>([]);
  const [scope, setScope] = useState("all");
  const [starting, setStarting] = useState(false);
  const [findingId, setFindingId] = useState<string | null>(query.finding ?? null);
  const [frameworkId, setFrameworkId] = useState<string | null>(null);
  /** The organization's default framework (Settings), once known. */
  const [defaultFramework, setDefaultFramework] = useState<string | null>(null);

  useEffect(() => {
    void model.load({ instanceId: query.instance, runId: query.run });
    analysis.frameworks().then(setFrameworks, () => setFrameworks([]));
    analysis.members(org.id).then(setMembers, () => setMembers([]));
    // Without the organization's settings the page works as if it had no default.
    api.organizations.get(org.id).then(
      (detail) => setDefaultFramework(detail.settings.default_framework),
      () => setDefaultFramework(null),
    );
    return () => model.dispose();
  }, [model]);

  // Findings open filtered to the default framework until the user picks a framework filter.
  // A saved id the catalog no longer has is ignored.
  const knownDefault = frameworks.some((f) => f.id === defaultFramework) ? defaultFramework : null;
  useEffect(() => {
    if (knownDefault) void model.applyDefaultFramework(knownDefault);
  }, [model, knownDefault]);

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

  // Keep the URL shareable: instance, run, tab.
  useEffect(() => {
    const params = new URLSearchParams();
    if (model.instanceId.value) params.set("instance", model.instanceId.value);
    if (run) params.set("run", run.id);
    if (tab !== "summary") params.set("tab", tab);
    const next = `${path}?${params}`;
    if (next !== `${path}?${new URLSearchParams(query as Record<string, string>)}`) {
      route(next, true);
    }
  }, [model.instanceId.value, run?.id, tab]);

  async function start(): Promise<void> {
    setStarting(true);
    try {
      const chosen: RunScope = scope === "all"
        ? { type: "all" }
        : { type: "framework", framework: scope };
      await model.start(chosen);
      toasts.info("Analysis started", "Progress shows below; results appear when it finishes.");
    } catch (cause) {
      toasts.error("The analysis did not start", errorMessage(cause));
    } finally {
      setStarting(false);
    }
  }

  async function changed(message: string): Promise<void> {
    toasts.success(message);
    await model.refresh();
  }

  async function muteCheck(mute: CheckMute): Promise<void> {
    const details = {
      reason: mute.reason,
      owner_id: mute.ownerId,
      ...(mute.expires ? { expires_at: new Date(`${mute.expires}T23:59:59`).toISOString() } : {}),
    };
    try {
      if (mute.orgWide) {
        await analysis.suppress({
          scope: "check_org",
          check_id: mute.check.check_id,
          org_id: org.id,
        }, details);
      } else {
        await analysis.suppress(
          {
            scope: "check_instance",
            check_id: mute.check.check_id,
            instance_id: model.instanceId.value!,
          },
          details,
        );
      }
    } catch (cause) {
      throw new Error(errorMessage(cause));
    }
    await changed(`“${mute.check.title}” muted`);
  }

  function showFindings(patch: Parameters<typeof model.setFilters>[0]): void {
    setTab("findings");
    void model.setFilters({ ...patch });
  }

  const instances = model.instances.value;
  const status = model.status.value;
  const runs = model.runs.value;
  const succeeded = runs.filter((r) => r.status === "succeeded");

  return (
    <>
      <PageHeader
        title="Analysis"
        description="Run the check catalog against an instance's synced data, and follow scores, findings and their evidence."
        actions={canRun && instances.length > 0 && (
          <div class="flex flex-wrap items-end gap-2">
            <Select
              label="Scope"
              size="sm"
              value={scope}
              options={[
                { value: "all", label: "All enabled checks" },
                ...frameworks.map((f) => ({ value: f.id, label: `${f.name} checks` })),
              ]}
              onValue={setScope}
            />
            <Button
              icon={Play}
              loading={starting}
              disabled={running || !model.instanceId.value}
              onClick={start}
            >
              Run analysis
            </Button>
          </div>
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
          <div class="flex flex-wrap items-end gap-4">
            <Select
              label="Instance"
              value={model.instanceId.value ?? ""}
              options={instances.map((i) => ({ value: i.id, label: i.name }))}
              onValue={(id) => void model.selectInstance(id)}
              class="w-72"
            />
            {succeeded.length > 0 && (
              <Select
                label="Run"
                value={run?.id ?? ""}
                options={succeeded.map((r) => ({
                  value: r.id,
                  label: `${formatDateTime(r.created_at)} · ${
                    r.scope.type === "all"
                      ? "all checks"
                      : r.scope.type === "framework"
                      ? r.scope.framework
                      : `${r.checks_total} checks`
                  }`,
                }))}
                onValue={(id) => void model.selectRun(id)}
                class="w-80"
              />
            )}
            {run && (
              <p class="pb-2 text-xs text-fg-muted">
                Evaluated {formatDateTime(run.evaluated_at)} · catalog {run.catalog_version}
                {Object.keys(run.parameters).length > 0 &&
                  ` · ${Object.keys(run.parameters).length} checks with custom parameters`}
              </p>
            )}
          </div>

          {live && (running || live.status === "failed" || live.status === "cancelled") && (
            <div class="rounded-lg border border-line bg-surface p-4" data-testid="run-progress">
              {running
                ? (
                  <ProgressBar
                    label="Analysis in progress"
                    value={Math.round(live.progress * 100)}
                    max={100}
                    valueText={`${live.checks_done} of ${live.checks_total || "…"} checks`}
                  />
                )
                : (
                  <Alert
                    tone="error"
                    title={live.status === "cancelled"
                      ? "The analysis was cancelled"
                      : "The analysis failed"}
                  >
                    {live.error ??
                      "Start it again; if it keeps failing, check the instance's last sync."}
                  </Alert>
                )}
              {running && (
                <p class="mt-2 text-xs text-fg-muted" aria-live="polite">
                  {live.status === "queued" || live.status === "running"
                    ? live.message
                    : "Finished; loading the results…"}
                </p>
              )}
            </div>
          )}

          {!run && !running && status === "ready" && (
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
                        count: results.summary?.findings.failing,
                      },
                      { id: "checks" as const, label: "Checks", count: results.checks_total },
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
                {results && shownTab === "summary" && (
                  <SummaryPanel
                    run={results}
                    frameworks={frameworks}
                    defaultFramework={knownDefault}
                    onFilter={(patch) => showFindings(patch)}
                    onFramework={setFrameworkId}
                  />
                )}
                {results && shownTab === "findings" && (
                  <FindingsPanel
                    findings={model.findings.value}
                    status={model.findingsStatus.value}
                    error={model.findingsError.value}
                    filters={model.filters.value}
                    frameworks={frameworks}
                    defaultFramework={knownDefault}
                    hasMore={model.nextCursor.value !== null}
                    onFilter={(patch) => void model.setFilters(patch)}
                    onMore={() => void model.loadMore()}
                    onOpen={(f) => setFindingId(f.id)}
                    onRetry={() => void model.setFilters({})}
                  />
                )}
                {results && shownTab === "checks" && (
                  <ChecksPanel
                    checks={model.checks.value}
                    loading={model.checksStatus.value !== "ready"}
                    canMute={can(role, "suppressions.manage")}
                    canMuteOrgWide={can(role, "suppressions.manage_org_wide")}
                    members={members}
                    currentUserId={userId}
                    onMute={muteCheck}
                    onShowFindings={(checkId) => showFindings({ check_id: checkId, status: [] })}
                  />
                )}
                {shownTab === "catalog" && (
                  <CatalogPanel
                    api={analysis}
                    orgId={org.id}
                    canEdit={can(role, "checks.configure")}
                    onChanged={(message) => toasts.success(message)}
                  />
                )}
                {shownTab === "custom" && (
                  <CustomChecksPanel
                    api={analysis}
                    orgId={org.id}
                    instanceId={model.instanceId.value}
                    canEdit={can(role, "custom_checks.write")}
                    frameworks={frameworks}
                    onChanged={(message) => toasts.success(message)}
                  />
                )}
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
        />
      )}
      <FindingDrawer
        findingId={findingId}
        api={analysis}
        canAct={can(role, "findings.triage")}
        members={members}
        currentUserId={userId}
        onClose={() => setFindingId(null)}
        onChanged={(message) => void changed(message)}
        onError={(title, message) => toasts.error(title, message)}
      />
    </>
  );
}
