/**
 * The cards of the Dashboard page; each takes the dashboard (or trends) and
 * renders, no fetching.
 *
 * @module
 */
import type { JSX } from "preact";
import { Card } from "../../components/card.tsx";
import { Chart, type ChartSeries } from "../../components/chart.tsx";
import type { Dashboard, Trends } from "./posture_api.ts";
import {
  capitalize,
  findingsHref,
  formatWhen,
  ScoreValue,
  SEVERITY_ORDER,
  SeverityBadge,
  StatTile,
} from "./posture_ui.tsx";

/** The headline figures. */
export function ScoreSummary(props: { dashboard: Dashboard }): JSX.Element {
  const d = props.dashboard;
  return (
    <div class="grid grid-cols-2 gap-3 lg:grid-cols-4">
      <StatTile
        label="Posture score"
        value={<ScoreValue score={d.overall.score} />}
        hint={
          <details>
            <summary class="cursor-pointer">How is this computed?</summary>
            Σ risk of passing checks ÷ Σ risk of evaluated checks × 100 over every instance's latest
            analysis ({d.overall.weight_passed} of{" "}
            {d.overall.weight_total}); muted and unevaluated checks count in neither.
          </details>
        }
      />
      <StatTile
        label="Security Center"
        value={<ScoreValue score={d.security_center.score} />}
        hint="ServiceNow's hardening formula"
      />
      <StatTile
        label="Failing findings"
        value={<span class="font-semibold tabular-nums text-fg">{d.findings.total}</span>}
        hint={`${d.changes.new} new · ${d.changes.resolved} resolved since the previous runs`}
      />
      <StatTile
        label="Instances analysed"
        value={
          <span class="font-semibold tabular-nums text-fg">
            {d.instances_analysed} / {d.instances.length}
          </span>
        }
        hint={d.instances_total > d.instances.length ? `${d.instances_total} in total` : undefined}
      />
    </div>
  );
}

/** What a score trend is drawn from: runs' scores and the instances' names. */
export interface TrendInput {
  runs: readonly { at: string; instance_id: string; overall: number | null }[];
  instances: readonly { id: string; name: string }[];
}

/** One line per instance: its score after each full analysis (carried between runs). */
export function trendSeries(trends: TrendInput): { labels: string[]; series: ChartSeries[] } {
  // One point per run (to the second): several analyses a day, or a minute, each show.
  const times = [...new Set(trends.runs.map((r) => r.at.slice(0, 19)))].sort();
  const series = trends.instances.map((instance, i): ChartSeries => {
    let last = Number.NaN;
    const byTime = new Map<string, number>();
    for (const r of trends.runs) {
      if (r.instance_id === instance.id && r.overall !== null) {
        byTime.set(r.at.slice(0, 19), r.overall);
      }
    }
    return {
      label: instance.name,
      tone: (["brand", "success", "warning", "info", "danger", "neutral"] as const)[i % 6],
      data: times.map((t) => (last = byTime.get(t) ?? last)),
    };
  }).filter((s) => s.data.some((v) => !Number.isNaN(v)));
  return { labels: times.map((t) => formatWhen(`${t}Z`)), series };
}

/** Score trend, framework readiness and severity breakdown. */
export function PostureCharts(props: { dashboard: Dashboard; trends: Trends | null }): JSX.Element {
  const d = props.dashboard;
  const trend = props.trends ? trendSeries(props.trends) : null;
  const statuses = [...new Set(d.frameworks.flatMap((f) => Object.keys(f.requirements)))].sort();
  const tones = { PASS: "success", FAIL: "danger", NOT_EVALUATED: "neutral" } as const;
  const severities = SEVERITY_ORDER.filter((s) => (d.findings.by_severity[s] ?? 0) > 0);
  return (
    <div class="grid gap-4 lg:grid-cols-2 *:min-w-0">
      <Card title="Score trend" description="Posture score of each instance after every analysis">
        {trend && trend.labels.length > 1
          ? <Chart type="line" title="Score trend" labels={trend.labels} series={trend.series} />
          : (
            <p class="text-sm text-fg-muted">
              The trend appears after a second analysis of an instance.
            </p>
          )}
      </Card>
      <Card title="Failing findings by severity" description="Unmuted failing resources">
        {severities.length
          ? (
            <Chart
              type="doughnut"
              title="Failing findings by severity"
              labels={severities.map(capitalize)}
              series={[{
                label: "Findings",
                data: severities.map((s) => d.findings.by_severity[s] ?? 0),
              }]}
            />
          )
          : <p class="text-sm text-fg-muted">No failing findings.</p>}
      </Card>
      <Card
        class="lg:col-span-2"
        title="Framework readiness"
        description="Requirements by status over the selected instances"
      >
        <Chart
          type="bar"
          stacked
          height={280}
          title="Framework readiness"
          labels={d.frameworks.map((f) => f.name)}
          series={statuses.map((s) => ({
            label: capitalize(s),
            tone: tones[s as keyof typeof tones] ?? (s === "MANUAL" ? "info" : "warning"),
            data: d.frameworks.map((f) => f.requirements[s] ?? 0),
          }))}
        />
      </Card>
    </div>
  );
}

/** "Fix these first": checks ranked by the points they would recover. */
export function FixFirst(props: { dashboard: Dashboard; instanceId: string | null }): JSX.Element {
  const risks = props.dashboard.top_risks;
  return (
    <Card
      title="Fix these first"
      description="Failing checks ranked by the score they would recover"
    >
      {risks.length === 0
        ? <p class="text-sm text-fg-muted">Nothing is failing. Well done.</p>
        : (
          <ol class="divide-y divide-line">
            {risks.map((r) => (
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
                  {r.affected_resources === 1 ? "resource" : "resources"} on {r.instances}{" "}
                  {r.instances === 1 ? "instance" : "instances"}
                </span>
              </li>
            ))}
          </ol>
        )}
    </Card>
  );
}

/** Each instance: scores, what changed, sync and analysis health. */
export function InstanceList(props: { dashboard: Dashboard }): JSX.Element {
  return (
    <Card title="Instances" flush>
      <ul class="divide-y divide-line">
        {props.dashboard.instances.map((i) => (
          <li key={i.id} class="grid gap-2 px-5 py-4 sm:grid-cols-[minmax(0,1fr)_auto]">
            <div class="min-w-0">
              <a class="font-medium text-accent-text hover:underline" href={findingsHref(i.id)}>
                {i.name}
              </a>
              <p class="truncate text-xs text-fg-muted">{i.url}</p>
              <p class="mt-1 text-sm text-fg-muted">
                {i.run_id
                  ? `${i.failing_findings} failing · ${i.changes.new} new · ${i.changes.resolved} resolved · ${i.changes.reopened} reopened`
                  : "Not analysed yet"}
              </p>
              <p class="text-xs text-fg-muted">
                Last sync {formatWhen(i.health.last_successful_sync_at)}
                {i.health.sync_failures_30d > 0 &&
                  ` · ${i.health.sync_failures_30d} failed syncs in 30 days`}
                {i.health.run_failures_30d > 0 &&
                  ` · ${i.health.run_failures_30d} failed analyses in 30 days`}
                {i.health.next_sync_at && ` · next ${formatWhen(i.health.next_sync_at)}`}
                {(i.health.sync_in_progress || i.health.run_in_progress) && " · working now"}
              </p>
            </div>
            <div class="flex gap-6 sm:text-right">
              <div>
                <p class="text-xs text-fg-muted">Score</p>
                <ScoreValue class="text-xl" score={i.overall?.score} />
              </div>
              <div>
                <p class="text-xs text-fg-muted">Security Center</p>
                <ScoreValue class="text-xl" score={i.security_center?.score} />
              </div>
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}

const ACTIVITY_LABELS: Record<string, string> = {
  sync: "Sync",
  analysis: "Analysis",
  triage: "Triage",
  suppressed: "Muted",
  unsuppressed: "Unmuted",
  suppression: "Suppression",
};

/** Recent syncs, analyses, triage and suppressions. */
export function ActivityList(props: { dashboard: Dashboard }): JSX.Element {
  const items = props.dashboard.activity;
  return (
    <Card title="Recent activity">
      {items.length === 0
        ? <p class="text-sm text-fg-muted">Nothing has happened yet.</p>
        : (
          <ul class="space-y-3">
            {items.map((a, i) => (
              <li key={`${a.kind}-${a.subject_id}-${i}`} class="text-sm">
                <p class="text-fg">
                  <span class="font-medium">{ACTIVITY_LABELS[a.kind] ?? capitalize(a.kind)}</span>
                  {a.status && ` ${capitalize(a.status).toLowerCase()}`}
                  {a.instance_name && ` · ${a.instance_name}`}
                </p>
                <p class="break-words text-xs text-fg-muted">
                  {formatWhen(a.at)}
                  {a.detail && ` · ${a.detail}`}
                </p>
              </li>
            ))}
          </ul>
        )}
    </Card>
  );
}
