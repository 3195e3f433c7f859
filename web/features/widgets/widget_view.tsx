/**
 * Draws one widget's data (`GET /widgets/:id/data`, the editor's preview, a
 * dashboard tile): one view per template, built from the Dashboard's charts
 * and posture pieces. Presentational: data in, no fetching.
 *
 * @module
 */
import type { JSX } from "preact";
import { Chart } from "../../components/chart.tsx";
import {
  capitalize,
  formatDay,
  formatWhen,
  ScoreValue,
  SEVERITY_ORDER,
  SeverityBadge,
  severityChartTone,
} from "../dashboard/posture_ui.tsx";

interface ScoreGauge {
  score: number | null;
  kind: string;
  passed: number;
  failed: number;
}
interface ScoreTrend {
  kind: string;
  points: { at: string; instance_id: string; score: number | null }[];
}
interface SeverityBreakdown {
  total: number;
  by_severity: Record<string, number>;
}
interface FrameworkReadiness {
  frameworks: {
    id: string;
    name: string;
    score: number | null;
    requirements: Record<string, number>;
    requirements_total: number;
  }[];
}
interface TopFailingChecks {
  checks: {
    check_id: string;
    title: string;
    severity: string;
    affected_resources: number;
    recoverable_points: number;
  }[];
}
interface InstanceTable {
  instances: {
    id: string;
    name: string;
    score: number | null;
    failing_findings: number;
    last_run_at: string | null;
  }[];
}
interface FindingsCount {
  count: number;
  total: number;
}
interface SyncHealth {
  instances: {
    id: string;
    name: string;
    last_sync_at: string | null;
    last_sync_status: string | null;
    sync_failures_30d: number;
    healthy: boolean;
  }[];
}

const Empty = (props: { text: string }) => <p class="text-sm text-fg-muted">{props.text}</p>;

function Gauge(props: { data: ScoreGauge }): JSX.Element {
  const d = props.data;
  return (
    <div>
      <p class="text-xs font-medium uppercase tracking-wide text-fg-muted">{capitalize(d.kind)}</p>
      <p class="mt-1 text-4xl">
        <ScoreValue score={d.score} />
      </p>
      <p class="mt-1 text-sm text-fg-muted">{d.passed} passed · {d.failed} failed</p>
    </div>
  );
}

function Trend(props: { data: ScoreTrend }): JSX.Element {
  const points = props.data.points.filter((p) => p.score !== null);
  if (points.length < 2) return <Empty text="The trend appears after a second analysis." />;
  return (
    <Chart
      type="line"
      title={`${capitalize(props.data.kind)} score trend`}
      height={180}
      labels={points.map((p) => formatDay(p.at))}
      series={[{ label: "Score", tone: "brand", data: points.map((p) => p.score ?? 0) }]}
    />
  );
}

function Severities(props: { data: SeverityBreakdown }): JSX.Element {
  const bySeverity = props.data.by_severity;
  const severities = SEVERITY_ORDER.filter((s) => (bySeverity[s] ?? 0) > 0);
  if (!severities.length) return <Empty text="No failing findings." />;
  return (
    <Chart
      type="doughnut"
      title="Failing findings by severity"
      height={180}
      labels={severities.map(capitalize)}
      series={[{
        label: "Findings",
        tone: severityChartTone(severities[0]!),
        data: severities.map((s) => bySeverity[s] ?? 0),
      }]}
    />
  );
}

function Readiness(props: { data: FrameworkReadiness }): JSX.Element {
  const fws = props.data.frameworks;
  if (!fws.length) return <Empty text="No framework has been evaluated yet." />;
  return (
    <ul class="divide-y divide-line text-sm">
      {fws.map((f) => (
        <li key={f.id} class="flex items-center justify-between gap-3 py-1.5">
          <span class="min-w-0 truncate text-fg">{f.name}</span>
          <span class="shrink-0 text-fg-muted">
            <ScoreValue score={f.score} /> · {f.requirements_total} requirements
          </span>
        </li>
      ))}
    </ul>
  );
}

function Checks(props: { data: TopFailingChecks }): JSX.Element {
  if (!props.data.checks.length) return <Empty text="No failing checks." />;
  return (
    <ol class="divide-y divide-line text-sm">
      {props.data.checks.map((c) => (
        <li key={c.check_id} class="flex items-center gap-2 py-1.5">
          <SeverityBadge severity={c.severity} />
          <span class="min-w-0 flex-1 truncate text-fg" title={c.title}>{c.title}</span>
          <span class="shrink-0 tabular-nums text-fg-muted">+{c.recoverable_points}</span>
        </li>
      ))}
    </ol>
  );
}

function SmallTable(
  props: { caption: string; head: string[]; rows: { key: string; cells: JSX.Element[] }[] },
): JSX.Element {
  if (!props.rows.length) return <Empty text="No instances to show." />;
  return (
    <table class="w-full text-left text-sm">
      <caption class="sr-only">{props.caption}</caption>
      <thead class="text-xs text-fg-muted">
        <tr>
          {props.head.map((h) => (
            <th key={h} scope="col" class="py-1 pr-3 font-medium last:pr-0">{h}</th>
          ))}
        </tr>
      </thead>
      <tbody class="divide-y divide-line">
        {props.rows.map((r) => (
          <tr key={r.key}>
            {r.cells.map((c, i) => <td key={i} class="py-1.5 pr-3 last:pr-0">{c}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Instances(props: { data: InstanceTable }): JSX.Element {
  return (
    <SmallTable
      caption="Instances"
      head={["Instance", "Score", "Failing"]}
      rows={props.data.instances.map((i) => ({
        key: i.id,
        cells: [
          <span key="a" class="text-fg">{i.name}</span>,
          <ScoreValue key="b" score={i.score} />,
          <span key="c" class="tabular-nums">{i.failing_findings}</span>,
        ],
      }))}
    />
  );
}

function Count(props: { data: FindingsCount }): JSX.Element {
  return (
    <div>
      <p class="text-4xl font-semibold tabular-nums text-fg">{props.data.count}</p>
      <p class="mt-1 text-sm text-fg-muted">of {props.data.total} failing findings</p>
    </div>
  );
}

function Syncs(props: { data: SyncHealth }): JSX.Element {
  return (
    <SmallTable
      caption="Sync health"
      head={["Instance", "Last sync", "Failures (30 d)"]}
      rows={props.data.instances.map((i) => ({
        key: i.id,
        cells: [
          <span
            key="a"
            class={i.healthy ? "text-fg" : "font-medium text-red-700 dark:text-red-300"}
          >
            {i.name}
          </span>,
          <span key="b" class="text-fg-muted">
            {formatWhen(i.last_sync_at)}
            {i.last_sync_status ? ` (${i.last_sync_status})` : ""}
          </span>,
          <span key="c" class="tabular-nums">{i.sync_failures_30d}</span>,
        ],
      }))}
    />
  );
}

// deno-lint-ignore no-explicit-any -- each view narrows its own template's data
const VIEWS: Record<string, (props: { data: any }) => JSX.Element> = {
  score_gauge: Gauge,
  score_trend: Trend,
  severity_breakdown: Severities,
  framework_readiness: Readiness,
  top_failing_checks: Checks,
  instance_table: Instances,
  findings_count: Count,
  sync_health: Syncs,
};

/** The templates this module can draw. */
export const VIEWABLE_TEMPLATES: readonly string[] = Object.keys(VIEWS);

/**
 * One widget's data, drawn as its template shows it.
 *
 * @param props the template id and the `data` of the widget's data answer
 */
export function WidgetView(props: { template: string; data: unknown }): JSX.Element {
  const View = VIEWS[props.template];
  if (!View) return <Empty text={`This app cannot draw the “${props.template}” template.`} />;
  if (props.data === null || typeof props.data !== "object") return <Empty text="No data." />;
  return <View data={props.data} />;
}
