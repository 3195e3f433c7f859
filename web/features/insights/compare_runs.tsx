import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Card } from "../../components/card.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { PostureApi, RunComparison, RunOption } from "../dashboard/posture_api.ts";
import { capitalize, formatWhen, ScoreValue, SeverityBadge } from "../dashboard/posture_ui.tsx";

function runLabel(r: RunOption): string {
  return `${formatWhen(r.finished_at ?? r.created_at)}${
    r.scope.type === "all" ? "" : ` (${r.scope.type})`
  }`;
}

function ComparisonResult(props: { c: RunComparison }): JSX.Element {
  const c = props.c;
  const overall = c.scores.overall;
  return (
    <div class="space-y-4">
      <p class="text-sm text-fg">
        Score <ScoreValue score={overall?.from} /> → <ScoreValue score={overall?.to} />
        {overall?.delta !== null && overall?.delta !== undefined &&
          ` (${overall.delta >= 0 ? "+" : ""}${overall.delta})`}
        {" · "}
        {c.findings.new_count} new findings · {c.findings.resolved_count} resolved
      </p>
      {overall && overall.movers.length > 0 && (
        <div>
          <h3 class="text-sm font-semibold text-fg">What moved the score</h3>
          <ul class="mt-1 space-y-1 text-sm">
            {overall.movers.map((m) => (
              <li key={m.check_id} class="flex flex-wrap gap-x-2">
                <span
                  class={m.impact >= 0
                    ? "text-emerald-700 dark:text-emerald-400"
                    : "text-red-700 dark:text-red-400"}
                >
                  {m.impact >= 0 ? "+" : ""}
                  {m.impact}
                </span>
                <span class="text-fg">{m.title}</span>
                <span class="text-fg-muted">
                  {capitalize(m.from ?? "absent")} → {capitalize(m.to ?? "absent")}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div>
        <h3 class="text-sm font-semibold text-fg">
          Checks that changed verdict ({c.checks_changed.length})
        </h3>
        <ul class="mt-1 divide-y divide-line text-sm">
          {c.checks_changed.map((x) => (
            <li key={x.check_id} class="flex flex-wrap items-center gap-2 py-2">
              <SeverityBadge severity={x.severity} />
              <span class="min-w-0 flex-1 text-fg">{x.title}</span>
              <span class="text-fg-muted">
                {capitalize(x.from ?? "absent")} → {capitalize(x.to ?? "absent")}
              </span>
            </li>
          ))}
        </ul>
      </div>
      <div class="grid gap-4 sm:grid-cols-2">
        {(["new", "resolved"] as const).map((side) => (
          <div key={side}>
            <h3 class="text-sm font-semibold text-fg">
              {side === "new" ? "New findings" : "Resolved findings"}{" "}
              ({c.findings[`${side}_count`]})
            </h3>
            <ul class="mt-1 space-y-1 text-sm">
              {c.findings[side].map((f) => (
                <li key={f.finding_id} class="break-words">
                  <span class="text-fg">{f.title}</span>{" "}
                  <span class="text-fg-muted">{f.table_name} · {f.resource_key}</span>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
    </div>
  );
}

/** Any two runs of an instance, side by side. */
export function CompareRuns(
  props: { api: PostureApi; instances: { id: string; name: string }[] },
): JSX.Element {
  const [instance, setInstance] = useState(props.instances[0]?.id ?? "");
  const [runs, setRuns] = useState<RunOption[]>([]);
  const [base, setBase] = useState("");
  const [target, setTarget] = useState("");
  const [result, setResult] = useState<RunComparison | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!instance) return;
    props.api.runs(instance).then((list) => {
      setRuns(list);
      setTarget(list[0]?.id ?? "");
      setBase(list[1]?.id ?? "");
    }, (cause) => setError(errorMessage(cause)));
  }, [instance]);

  useEffect(() => {
    setResult(null);
    if (!base || !target || base === target) return;
    props.api.compareRuns(base, target).then((c) => {
      setResult(c);
      setError(null);
    }, (cause) => setError(errorMessage(cause)));
  }, [base, target]);

  const options = runs.map((r) => ({ value: r.id, label: runLabel(r) }));
  return (
    <Card title="Compare two runs" description="What changed between two analyses of one instance">
      <div class="mb-4 grid gap-3 sm:grid-cols-3">
        <Select
          label="Instance"
          value={instance}
          onValue={setInstance}
          options={props.instances.map((i) => ({ value: i.id, label: i.name }))}
        />
        <Select label="From (earlier)" value={base} onValue={setBase} options={options} />
        <Select label="To (later)" value={target} onValue={setTarget} options={options} />
      </div>
      {error && <Alert tone="error">{error}</Alert>}
      {runs.length < 2 && !error && (
        <p class="text-sm text-fg-muted">This instance needs two finished analyses to compare.</p>
      )}
      {base === target && runs.length >= 2 && (
        <p class="text-sm text-fg-muted">Pick two different runs.</p>
      )}
      {result && <ComparisonResult c={result} />}
    </Card>
  );
}
