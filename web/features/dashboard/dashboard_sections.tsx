/**
 * Pieces of the Dashboard page besides its widgets (web/features/widgets/
 * widget_view.tsx): the score trend's series and the recent activity card.
 * No fetching.
 *
 * @module
 */
import type { JSX } from "preact";
import { Card } from "../../components/card.tsx";
import type { ChartSeries } from "../../components/chart.tsx";
import type { Dashboard } from "./posture_api.ts";
import { capitalize, formatWhen } from "./posture_ui.tsx";

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
