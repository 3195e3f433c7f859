import type { JSX } from "preact";
import { Card } from "../../components/card.tsx";
import type { Recommendations, TopRisk } from "../dashboard/posture_api.ts";
import { findingsHref, formatWhen, SeverityBadge } from "../dashboard/posture_ui.tsx";

function RiskList(props: { items: TopRisk[]; empty: string }): JSX.Element {
  if (props.items.length === 0) return <p class="text-sm text-fg-muted">{props.empty}</p>;
  return (
    <ul class="divide-y divide-line">
      {props.items.map((r) => (
        <li key={r.check_id} class="py-2">
          <a class="text-accent-text hover:underline" href={findingsHref(null, r.check_id)}>
            {r.title}
          </a>
          <p class="mt-1 flex flex-wrap items-center gap-2 text-xs tabular-nums text-fg-muted">
            <SeverityBadge severity={r.severity} />
            +{r.recoverable_points} points · {r.affected_resources} resources on {r.instances}{" "}
            {r.instances === 1 ? "instance" : "instances"}
          </p>
        </li>
      ))}
    </ul>
  );
}

/** Quick wins, checks failing everywhere, suppressions expiring soon. */
export function RecommendationsSection(props: { data: Recommendations }): JSX.Element {
  const r = props.data;
  return (
    <div class="grid gap-4 lg:grid-cols-3 *:min-w-0">
      <Card title="Quick wins" description="High risk, few resources to fix">
        <RiskList items={r.quick_wins} empty="No high-risk check with few failures." />
      </Card>
      <Card title="Failing on every instance" description="Fix once, everywhere">
        <RiskList items={r.failing_everywhere} empty="No check fails on every instance." />
      </Card>
      <Card title="Suppressions expiring soon" description="Within 14 days">
        {r.expiring_suppressions.length === 0
          ? <p class="text-sm text-fg-muted">None expire in the next 14 days.</p>
          : (
            <ul class="space-y-2 text-sm">
              {r.expiring_suppressions.map((s) => (
                <li key={s.id}>
                  <p class="font-medium text-fg">{s.check_id}</p>
                  <p class="text-xs text-fg-muted">
                    Expires {formatWhen(s.expires_at)} · {s.reason}
                  </p>
                </li>
              ))}
            </ul>
          )}
      </Card>
    </div>
  );
}
