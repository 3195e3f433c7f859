import type { JSX } from "preact";
import { Card } from "../../components/card.tsx";
import { Chart } from "../../components/chart.tsx";
import { trendSeries } from "../dashboard/dashboard_sections.tsx";
import type { Trends } from "../dashboard/posture_api.ts";
import { capitalize, formatDay, SEVERITY_ORDER } from "../dashboard/posture_ui.tsx";

/** Score trend, findings opened and resolved per week, muted and accepted, time to remediate. */
export function TrendsSection(props: { trends: Trends }): JSX.Element {
  const t = props.trends;
  const scores = trendSeries(t);
  const weeks = t.weekly.map((w) => formatDay(w.week));
  const mttr = SEVERITY_ORDER.filter((s) => t.mttr_days[s]);
  return (
    <div class="grid gap-4 lg:grid-cols-2 *:min-w-0">
      <Card
        class="lg:col-span-2"
        title="Score per analysis"
        description="Posture score of each instance"
      >
        {scores.labels.length > 0
          ? (
            <Chart
              type="line"
              title="Score per analysis"
              labels={scores.labels}
              series={scores.series}
            />
          )
          : <p class="text-sm text-fg-muted">No analysis finished in this range.</p>}
      </Card>
      <Card
        title="Findings opened and resolved"
        description="Per week (new or reopened vs resolved)"
      >
        <Chart
          type="bar"
          title="Findings opened and resolved per week"
          labels={weeks}
          series={[
            { label: "Opened", tone: "danger", data: t.weekly.map((w) => w.opened) },
            { label: "Resolved", tone: "success", data: t.weekly.map((w) => w.resolved) },
          ]}
        />
      </Card>
      <Card title="Muted and risk accepted" description="In force at the end of each week">
        <Chart
          type="line"
          title="Muted and risk accepted over time"
          labels={weeks}
          series={[
            { label: "Suppressions", tone: "neutral", data: t.weekly.map((w) => w.muted) },
            { label: "Risk accepted", tone: "warning", data: t.weekly.map((w) => w.risk_accepted) },
          ]}
        />
      </Card>
      <Card
        class="lg:col-span-2"
        title="Mean time to remediate"
        description="From first seen to resolved, for findings resolved in this range"
      >
        {mttr.length === 0
          ? <p class="text-sm text-fg-muted">No finding was resolved in this range.</p>
          : (
            <dl class="grid grid-cols-2 gap-3 sm:grid-cols-5">
              {mttr.map((s) => (
                <div key={s}>
                  <dt class="text-xs text-fg-muted">{capitalize(s)}</dt>
                  <dd class="text-lg font-semibold tabular-nums text-fg">
                    {t.mttr_days[s]!.mean} days
                    <span class="block text-xs font-normal text-fg-muted">
                      {t.mttr_days[s]!.resolved} resolved
                    </span>
                  </dd>
                </div>
              ))}
            </dl>
          )}
      </Card>
    </div>
  );
}
