/**
 * One widget on a dashboard: reads `GET /widgets/:id/data` with the page's
 * filters and draws it with the Dashboard page's pieces. (The Widgets page
 * has its own renderer; the two draw the same templates.)
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Card } from "../../components/card.tsx";
import { Chart } from "../../components/chart.tsx";
import { Loader } from "../../components/loader.tsx";
import { useApp } from "../../app/services.ts";
import { errorMessage } from "../../lib/api_error.ts";
import { type ResponseOf, typedClient } from "../../lib/typed_client.ts";
import { trendSeries } from "./dashboard_sections.tsx";
import {
  capitalize,
  findingsHref,
  formatWhen,
  ScoreValue,
  SEVERITY_ORDER,
  SeverityBadge,
  StatTile,
} from "./posture_ui.tsx";

type WidgetData = ResponseOf<"GET /widgets/:widgetId/data">["data"];
// deno-lint-ignore no-explicit-any -- each template's data has its own shape (docs/widgets.md)
type Data = any;

/** The page's filters and what a tile needs to label its data. */
export interface TileContext {
  instanceIds: string[];
  framework: string | null;
  /** Instance id → name (a trend's lines). */
  instanceNames: ReadonlyMap<string, string>;
  /** Bumped when a sync or run finishes: the tile reads again. */
  refresh: number;
}

/** A widget tile: its data, loading and error states. */
export function WidgetTile(
  props: { widgetId: string; name: string; context: TileContext },
): JSX.Element {
  const { api } = useApp();
  const [data, setData] = useState<WidgetData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { instanceIds, framework, refresh } = props.context;
  useEffect(() => {
    const abort = new AbortController();
    typedClient(api)("GET /widgets/:widgetId/data", {
      params: { widgetId: props.widgetId },
      query: {
        instance_ids: instanceIds.length ? instanceIds.join(",") : undefined,
        framework: framework ?? undefined,
      },
      signal: abort.signal,
    }).then((res) => {
      setData(res.data);
      setError(null);
    }, (cause) => {
      if (!abort.signal.aborted) setError(errorMessage(cause));
    });
    return () => abort.abort();
  }, [props.widgetId, instanceIds.join(","), framework, refresh]);

  if (error && !data) {
    return (
      <Card title={props.name}>
        <p class="text-sm text-red-700 dark:text-red-400" role="alert">{error}</p>
      </Card>
    );
  }
  if (!data) {
    return (
      <Card title={props.name}>
        <Loader label={`Loading ${props.name}`} />
      </Card>
    );
  }
  return renderTemplate(data.template, props.name, data.data, props.context);
}

function renderTemplate(template: string, name: string, d: Data, ctx: TileContext): JSX.Element {
  switch (template) {
    case "score_gauge":
      return (
        <StatTile
          label={name}
          value={<ScoreValue score={d.score} />}
          hint={`${d.passed} passed · ${d.failed} failed`}
        />
      );
    case "findings_count":
      return (
        <StatTile
          label={name}
          value={<span class="font-semibold tabular-nums text-fg">{d.count}</span>}
          hint={d.count === d.total
            ? "Unmuted failing resources"
            : `of ${d.total} unmuted failing resources`}
        />
      );
    case "score_trend":
      return <TrendTile name={name} d={d} names={ctx.instanceNames} />;
    case "severity_breakdown":
      return <SeverityTile name={name} d={d} />;
    case "framework_readiness":
      return <ReadinessTile name={name} d={d} />;
    case "top_failing_checks":
      return <FixFirstTile name={name} d={d} instanceId={ctx.instanceIds[0] ?? null} />;
    case "instance_table":
      return <InstancesTile name={name} d={d} />;
    case "sync_health":
      return <SyncTile name={name} d={d} />;
    default:
      return <Card title={name}>This widget's template is not known to this page.</Card>;
  }
}

function TrendTile(props: { name: string; d: Data; names: ReadonlyMap<string, string> }) {
  const points = props.d.points as { at: string; instance_id: string; score: number | null }[];
  const trend = trendSeries({
    runs: points.map((p) => ({ at: p.at, instance_id: p.instance_id, overall: p.score })),
    instances: [...new Set(points.map((p) => p.instance_id))].map((id) => ({
      id,
      name: props.names.get(id) ?? "Instance",
    })),
  });
  return (
    <Card title={props.name} description="Score of each instance after every analysis">
      {trend.labels.length > 1
        ? <Chart type="line" title={props.name} labels={trend.labels} series={trend.series} />
        : (
          <p class="text-sm text-fg-muted">
            The trend appears after a second analysis of an instance.
          </p>
        )}
    </Card>
  );
}

function SeverityTile(props: { name: string; d: Data }) {
  const counts = props.d.by_severity as Record<string, number>;
  const severities = SEVERITY_ORDER.filter((s) => (counts[s] ?? 0) > 0);
  return (
    <Card title={props.name} description="Unmuted failing resources">
      {severities.length
        ? (
          <Chart
            type="doughnut"
            title={props.name}
            labels={severities.map(capitalize)}
            series={[{ label: "Findings", data: severities.map((s) => counts[s] ?? 0) }]}
          />
        )
        : <p class="text-sm text-fg-muted">No failing findings.</p>}
    </Card>
  );
}

function ReadinessTile(props: { name: string; d: Data }) {
  const frameworks = props.d.frameworks as {
    name: string;
    requirements: Record<string, number>;
  }[];
  const statuses = [...new Set(frameworks.flatMap((f) => Object.keys(f.requirements)))].sort();
  const tones = { PASS: "success", FAIL: "danger", NOT_EVALUATED: "neutral" } as const;
  return (
    <Card title={props.name} description="Requirements by status over the selected instances">
      <Chart
        type="bar"
        stacked
        height={280}
        title={props.name}
        labels={frameworks.map((f) => f.name)}
        series={statuses.map((s) => ({
          label: capitalize(s),
          tone: tones[s as keyof typeof tones] ?? (s === "MANUAL" ? "info" : "warning"),
          data: frameworks.map((f) => f.requirements[s] ?? 0),
        }))}
      />
    </Card>
  );
}

function FixFirstTile(props: { name: string; d: Data; instanceId: string | null }) {
  const checks = props.d.checks as {
    check_id: string;
    title: string;
    severity: string;
    affected_resources: number;
    recoverable_points: number;
  }[];
  return (
    <Card title={props.name} description="Failing checks ranked by the score they would recover">
      {checks.length === 0
        ? <p class="text-sm text-fg-muted">Nothing is failing. Well done.</p>
        : (
          <ol class="divide-y divide-line">
            {checks.map((r) => (
              <li key={r.check_id} class="flex flex-wrap items-center gap-x-3 gap-y-1 py-3">
                <SeverityBadge severity={r.severity} />
                <a
                  class="min-w-0 flex-1 font-medium text-accent-text hover:underline"
                  href={findingsHref(props.instanceId, r.check_id)}
                >
                  {r.title}
                </a>
                <span class="text-sm tabular-nums text-fg-muted">
                  +{r.recoverable_points} points · {r.affected_resources}{" "}
                  {r.affected_resources === 1 ? "resource" : "resources"}
                </span>
              </li>
            ))}
          </ol>
        )}
    </Card>
  );
}

function InstancesTile(props: { name: string; d: Data }) {
  const rows = props.d.instances as {
    id: string;
    name: string;
    score: number | null;
    failing_findings: number;
    last_run_at: string | null;
  }[];
  return (
    <Card title={props.name} flush>
      <ul class="divide-y divide-line">
        {rows.map((i) => (
          <li key={i.id} class="flex items-center gap-4 px-5 py-3">
            <div class="min-w-0 flex-1">
              <a class="font-medium text-accent-text hover:underline" href={findingsHref(i.id)}>
                {i.name}
              </a>
              <p class="text-xs text-fg-muted">
                {i.failing_findings} failing · last analysis {formatWhen(i.last_run_at)}
              </p>
            </div>
            <ScoreValue class="text-xl" score={i.score} />
          </li>
        ))}
      </ul>
    </Card>
  );
}

function SyncTile(props: { name: string; d: Data }) {
  const rows = props.d.instances as {
    id: string;
    name: string;
    last_sync_at: string | null;
    last_sync_status: string | null;
    sync_failures_30d: number;
    run_failures_30d: number;
    healthy: boolean;
  }[];
  return (
    <Card title={props.name}>
      {rows.length === 0
        ? <p class="text-sm text-fg-muted">Every sync is healthy.</p>
        : (
          <ul class="space-y-3 text-sm">
            {rows.map((r) => (
              <li key={r.id}>
                <p class="font-medium text-fg">
                  {r.name} · {r.healthy ? "healthy" : "needs attention"}
                </p>
                <p class="text-xs text-fg-muted">
                  Last sync {formatWhen(r.last_sync_at)}
                  {r.last_sync_status && ` (${r.last_sync_status})`} · {r.sync_failures_30d}{" "}
                  failed syncs, {r.run_failures_30d} failed analyses in 30 days
                </p>
              </li>
            ))}
          </ul>
        )}
    </Card>
  );
}
