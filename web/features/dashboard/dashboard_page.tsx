import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { RefreshCw } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { Loader } from "../../components/loader.tsx";
import { Select } from "../../components/select.tsx";
import { useApp } from "../../app/services.ts";
import { errorMessage } from "../../lib/api_error.ts";
import { typedClient } from "../../lib/typed_client.ts";
import { roleAtLeast } from "../team/team_rules.ts";
import { DashboardEmpty } from "./dashboard_empty.tsx";
import { DashboardBoard } from "./dashboard_board.tsx";
import { ActivityList } from "./dashboard_sections.tsx";
import { watchOrgJobs } from "./job_stream.ts";
import { createPostureApi, type Dashboard, type FrameworkOption } from "./posture_api.ts";

/**
 * Follows the organization's jobs and calls `refresh` when a sync or run
 * finishes; returns whether one is in progress.
 */
export function useLiveRefresh(orgId: string, refresh: () => void): boolean {
  const { api, config, session } = useApp();
  const [active, setActive] = useState(false);
  useEffect(() => {
    return watchOrgJobs(
      {
        functionsUrl: config.functionsUrl,
        accessToken: () => session.accessToken(),
        poll: async () =>
          (await typedClient(api)("GET /tasks/jobs", { query: { org_id: orgId, limit: 25 } })).data,
      },
      orgId,
      { onActive: setActive, onFinished: () => refresh() },
    );
  }, [orgId]);
  return active;
}

/**
 * `/app/dashboard`: the organization's posture over all its instances; the
 * start page. Its figures are the widgets of the organization's dashboard (or
 * a personal one); the filters and live updates apply to every tile.
 */
export function DashboardPage(): JSX.Element {
  const { api, orgs } = useApp();
  const org = orgs.current.value!;
  const canAdd = roleAtLeast(orgs.role.value ?? "viewer", "admin");
  const posture = useMemo(() => createPostureApi(api), [api]);
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [frameworks, setFrameworks] = useState<FrameworkOption[]>([]);
  const [framework, setFramework] = useState("");
  const [instance, setInstance] = useState("");
  const [version, setVersion] = useState(0);

  useEffect(() => {
    posture.frameworks().then(setFrameworks, () => setFrameworks([]));
  }, [posture]);

  useEffect(() => {
    const abort = new AbortController();
    const filters = { framework: framework || null, instanceIds: instance ? [instance] : [] };
    posture.dashboard(org.id, filters, abort.signal).then((d) => {
      setDashboard(d);
      setError(null);
    }, (cause) => {
      if (!abort.signal.aborted) setError(errorMessage(cause));
    });
    return () => abort.abort();
  }, [org.id, framework, instance, version]);

  const working = useLiveRefresh(org.id, () => setVersion((v) => v + 1));

  const header = (
    <PageHeader
      title="Dashboard"
      description="Your security and compliance posture across every ServiceNow instance."
      actions={
        <Button
          variant="secondary"
          icon={RefreshCw}
          onClick={() => setVersion((v) => v + 1)}
        >
          Refresh
        </Button>
      }
    />
  );
  if (error && !dashboard) {
    return (
      <>
        {header}
        <Alert tone="error" title="The dashboard could not be loaded">{error}</Alert>
      </>
    );
  }
  if (!dashboard) return <Loader label="Loading the dashboard" class="py-24" />;
  if (dashboard.instances_total === 0) {
    return (
      <>
        {header}
        <DashboardEmpty canAdd={canAdd} />
      </>
    );
  }
  return (
    <>
      {header}
      <div class="mb-4 grid gap-3 sm:grid-cols-2 lg:max-w-2xl">
        <Select
          label="Instances"
          value={instance}
          onValue={setInstance}
          options={[
            { value: "", label: "All instances" },
            ...dashboard.instances.map((i) => ({ value: i.id, label: i.name })),
          ]}
        />
        <Select
          label="Framework"
          value={framework}
          onValue={setFramework}
          options={[
            { value: "", label: "All checks" },
            ...frameworks.map((f) => ({ value: f.id, label: f.name })),
          ]}
        />
      </div>
      {working && (
        <Alert tone="info" class="mb-4" title="A sync or analysis is running">
          The dashboard updates by itself when it finishes.
        </Alert>
      )}
      {error && <Alert tone="error" class="mb-4" title="Could not refresh">{error}</Alert>}
      {dashboard.instances_analysed === 0
        ? (
          <Alert tone="info" title="No analysis yet">
            Figures appear once the first sync and analysis of an instance have finished.
          </Alert>
        )
        : (
          <div class="min-w-0 space-y-4">
            <DashboardBoard
              orgId={org.id}
              context={{
                instanceIds: instance ? [instance] : [],
                framework: framework || null,
                instanceNames: new Map(dashboard.instances.map((i) => [i.id, i.name])),
                refresh: version,
              }}
            />
            <ActivityList dashboard={dashboard} />
          </div>
        )}
    </>
  );
}
