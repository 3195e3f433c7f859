import type { JSX } from "preact";
import { Card } from "../../components/card.tsx";
import { cx } from "../../lib/cx.ts";
import {
  type FindingFilters,
  type Framework,
  type RunDetail,
  type Score,
  SEVERITIES,
} from "./analysis_api.ts";
import { HeadlineScore } from "./headline_score.tsx";
import { checksSentence, runCounts } from "./run_counts.ts";
import { scoreBand, scoreTone, SEVERITY_LABELS, SeverityBadge, StatusBadge } from "./ui.tsx";
import { VERDICTS } from "./verdicts.ts";

const AREA_TITLES: Record<string, string> = {
  identity: "Identity and access",
  access_control: "Access control rules",
  exposure: "Public and external exposure",
  code: "Code hygiene",
  integration: "Integrations, certificates and OAuth",
  change: "Change management",
  audit: "Audit and logging",
  incident: "Incident and operations",
  hardening: "Hardening settings (Security Center)",
};

function ScoreRow(
  { label, score, onSelect }: { label: string; score: Score; onSelect?: () => void },
): JSX.Element {
  const total = score.passed + score.failed;
  const width = score.score ?? 0;
  return (
    <tr>
      <th scope="row" class="py-2 pr-3 text-left font-medium text-fg">
        {onSelect
          ? (
            <button type="button" class="text-left hover:underline" onClick={onSelect}>
              {label}
            </button>
          )
          : label}
      </th>
      <td class="hidden w-40 py-2 pr-3 sm:table-cell">
        <div class="h-2 w-full overflow-hidden rounded-full bg-surface-sunken" aria-hidden="true">
          <div
            class={cx("h-full rounded-full", scoreBand(score.score).bar)}
            style={{ width: `${width}%` }}
          />
        </div>
      </td>
      <td class={cx("py-2 pr-3 text-right font-semibold tabular-nums", scoreTone(score.score))}>
        {score.score ?? "—"}
      </td>
      <td class="py-2 text-right text-xs tabular-nums text-fg-muted">
        {score.passed}/{total} pass
        {score.not_evaluated > 0 && ` · ${score.not_evaluated} not evaluated`}
        {score.muted > 0 && ` · ${score.muted} muted`}
      </td>
    </tr>
  );
}

/** The results summary: scores, failing findings by severity, by area, by framework, what moved. */
export function SummaryPanel(
  props: {
    run: RunDetail;
    frameworks: readonly Framework[];
    /** The organization's default framework: listed first and marked. */
    defaultFramework?: string | null;
    onFilter: (patch: Partial<FindingFilters>) => void;
    onFramework: (frameworkId: string) => void;
  },
): JSX.Element {
  const { run } = props;
  const scores = run.scores!;
  const summary = run.summary!;
  const moved = run.explanation?.scores ?? {};
  const counts = runCounts(run);
  const frameworkName = (id: string) => props.frameworks.find((f) => f.id === id)?.name ?? id;
  const movers = Object.entries(moved)
    .filter(([, change]) => change.movers.length > 0 && (change.delta ?? 0) !== 0)
    .slice(0, 6);
  return (
    <div class="space-y-6">
      <HeadlineScore run={run} counts={counts} />

      <div class="grid gap-6 lg:grid-cols-2">
        <Card
          title="Failing findings by severity"
          description={`${counts.failingFindings} failing resources${
            counts.mutedFindings > 0
              ? `; the ${counts.mutedFindings} muted are not counted below`
              : ""
          }`}
        >
          <ul class="space-y-2">
            {SEVERITIES.map((severity) => {
              const n = summary.findings.by_severity[severity] ?? 0;
              const checks = summary.checks.failing_by_severity[severity] ?? 0;
              return (
                <li key={severity} class="flex items-center justify-between gap-3 text-sm">
                  <button
                    type="button"
                    class="flex items-center gap-2 hover:underline disabled:no-underline"
                    disabled={n === 0}
                    onClick={() => props.onFilter({ severity: [severity] })}
                    aria-label={`Show ${SEVERITY_LABELS[severity].toLowerCase()} findings`}
                  >
                    <SeverityBadge severity={severity} />
                  </button>
                  <span class="tabular-nums text-fg-muted">
                    <span class="font-semibold text-fg">{n}</span> findings · {checks} checks
                  </span>
                </li>
              );
            })}
          </ul>
          <dl class="mt-4 grid grid-cols-2 gap-2 border-t border-line pt-3 text-sm sm:grid-cols-4">
            {(["new", "reopened", "unchanged", "resolved"] as const).map((d) => (
              <div key={d}>
                <dt class="text-xs capitalize text-fg-muted">{d}</dt>
                <dd class="font-semibold tabular-nums">{summary.findings.by_delta[d] ?? 0}</dd>
              </div>
            ))}
          </dl>
        </Card>

        <Card title="Checks" description={checksSentence(counts)}>
          <ul class="grid grid-cols-2 gap-3 text-sm">
            {Object.keys({ ...VERDICTS, ...summary.checks.by_effective }).map((s) => (
              <li key={s} class="flex items-center justify-between gap-2">
                <StatusBadge status={s} />
                <span class="font-semibold tabular-nums">
                  {summary.checks.by_effective[s] ?? 0}
                </span>
              </li>
            ))}
          </ul>
          {summary.findings.not_evaluated > 0 && (
            <p class="mt-3 text-xs text-fg-muted">
              {summary.findings.not_evaluated}{" "}
              open findings could not be re-checked (their check was not evaluated); they are
              neither resolved nor counted as passing.
            </p>
          )}
          {movers.length > 0 && (
            <div class="mt-4 border-t border-line pt-3">
              <h3 class="text-sm font-semibold">What moved since the previous run</h3>
              <ul class="mt-2 space-y-2 text-sm">
                {movers.map(([key, change]) => (
                  <li key={key}>
                    <span class="font-medium">{scoreLabel(key, frameworkName)}</span>{" "}
                    <span class="tabular-nums text-fg-muted">
                      {change.from ?? "—"} → {change.to ?? "—"}
                    </span>
                    <ul class="ml-4 list-disc text-xs text-fg-muted">
                      {change.movers.slice(0, 3).map((m) => (
                        <li key={m.check_id}>
                          {m.title}: {m.from ?? "not run"} → {m.to ?? "not run"}{" "}
                          ({m.impact > 0 ? "+" : ""}
                          {m.impact} points)
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </Card>
      </div>

      <div class="grid gap-6 lg:grid-cols-2">
        <Card title="By area" flush>
          <table class="w-full px-5 text-sm">
            <caption class="sr-only">Scores by area</caption>
            <tbody class="divide-y divide-line [&_th]:pl-5 [&_td:last-child]:pr-5">
              {Object.entries(scores.areas).sort(([a], [b]) => a.localeCompare(b)).map((
                [area, score],
              ) => (
                <ScoreRow
                  key={area}
                  label={AREA_TITLES[area] ?? area}
                  score={score}
                  onSelect={area === "hardening"
                    ? undefined
                    : () => props.onFilter({ area: [area] })}
                />
              ))}
            </tbody>
          </table>
        </Card>
        <Card title="By framework" flush>
          <table class="w-full text-sm">
            <caption class="sr-only">Scores by framework</caption>
            <tbody class="divide-y divide-line [&_th]:pl-5 [&_td:last-child]:pr-5">
              {Object.entries(scores.frameworks).sort(([a], [b]) =>
                Number(b === props.defaultFramework) - Number(a === props.defaultFramework) ||
                frameworkName(a).localeCompare(frameworkName(b))
              )
                .map(([id, score]) => (
                  <ScoreRow
                    key={id}
                    label={id === props.defaultFramework
                      ? `${frameworkName(id)} (default)`
                      : frameworkName(id)}
                    score={score}
                    onSelect={() => props.onFramework(id)}
                  />
                ))}
            </tbody>
          </table>
        </Card>
      </div>
    </div>
  );
}

function scoreLabel(key: string, frameworkName: (id: string) => string): string {
  if (key === "overall") return "Overall";
  if (key === "security_center") return "Security Center hardening";
  if (key === "hardening") return "Hardening, after mutes";
  if (key === "behavioural") return "Access, change and audit checks";
  if (key.startsWith("area:")) return AREA_TITLES[key.slice(5)] ?? key.slice(5);
  if (key.startsWith("framework:")) return frameworkName(key.slice(10));
  return key;
}

export { AREA_TITLES };
