import type { JSX } from "preact";
import { ArrowDownRight, ArrowUpRight, Minus } from "lucide";
import { Icon } from "../../components/icon.tsx";
import { cx } from "../../lib/cx.ts";
import type { RunDetail } from "./analysis_api.ts";
import { checksSentence, type RunCounts } from "./run_counts.ts";
import { scoreBand, ScoreCard } from "./ui.tsx";

function Delta({ delta }: { delta: number | null | undefined }): JSX.Element | null {
  if (delta === null || delta === undefined) return null;
  return (
    <span
      class={cx(
        "inline-flex items-center gap-0.5 text-sm font-medium tabular-nums",
        delta > 0
          ? "text-emerald-700 dark:text-emerald-300"
          : delta < 0
          ? "text-red-700 dark:text-red-300"
          : "text-fg-muted",
      )}
    >
      <Icon icon={delta > 0 ? ArrowUpRight : delta < 0 ? ArrowDownRight : Minus} class="size-4" />
      {delta > 0 ? `+${delta}` : delta} since the previous run
    </span>
  );
}

const fmt = (n: number) => n.toLocaleString(undefined, { maximumFractionDigits: 1 });

/**
 * The one score to read first (overall, risk-weighted), what it is made of and
 * how it is computed; the other scores follow, smaller.
 */
export function HeadlineScore(props: { run: RunDetail; counts: RunCounts }): JSX.Element {
  const { scores, explanation } = props.run;
  const overall = scores!.overall;
  const band = scoreBand(overall.score);
  const moved = explanation?.scores ?? {};
  const sc = scores!.security_center;
  const { counts } = props;
  return (
    <section aria-labelledby="headline-score" class="space-y-4">
      <div
        class="rounded-lg border border-line bg-surface p-5 shadow-xs"
        data-testid="score-overall"
      >
        <div class="flex flex-wrap items-end gap-x-6 gap-y-2">
          <div>
            <h2 id="headline-score" class="text-sm font-medium text-fg-muted">
              Overall score
            </h2>
            <p class="flex items-baseline gap-2">
              <span class={cx("text-5xl font-semibold tabular-nums", band.text)}>
                {overall.score ?? "—"}
              </span>
              {overall.score !== null && <span class="text-lg text-fg-muted">/ 100</span>}
              <span class={cx("text-sm font-semibold", band.text)}>{band.label}</span>
            </p>
          </div>
          <div class="min-w-0 flex-1 space-y-1 pb-1 text-sm">
            <p class="text-fg">{checksSentence(counts)}.</p>
            <Delta delta={moved.overall?.delta} />
          </div>
        </div>
        <div
          class="mt-3 h-2 w-full overflow-hidden rounded-full bg-surface-sunken"
          aria-hidden="true"
        >
          <div
            class={cx("h-full rounded-full", band.bar)}
            style={{ width: `${overall.score ?? 0}%` }}
          />
        </div>
        <details class="mt-3 text-sm">
          <summary class="cursor-pointer font-medium text-accent-text hover:underline">
            How is this computed?
          </summary>
          <div class="mt-2 space-y-2 text-fg-muted">
            <p>
              Every check carries a risk score from 0 to 10. The overall score is the risk of the
              checks that pass, divided by the risk of every check that was scored, times 100,
              rounded up: a failing high-risk check costs more than a failing low-risk one.
            </p>
            <p class="rounded-md bg-surface-muted p-2 font-mono text-xs text-fg">
              {fmt(overall.weight_passed)} ÷ {fmt(overall.weight_total)} × 100 →{" "}
              {overall.score ?? "no score"}
            </p>
            <p>
              {counts.scored} of the {counts.ran} checks that ran were scored ({counts.passed} pass,
              {" "}
              {counts.failed} fail).
              {counts.notEvaluated > 0 &&
                ` ${counts.notEvaluated} could not be evaluated (a table was not synced or not readable) and count neither way.`}
              {counts.muted > 0 &&
                ` ${counts.muted} muted checks are left out until their mute ends.`}{" "}
              A check passes when none of its resources fail, or every failing one is muted.
            </p>
            <p>
              The Security Center score below is ServiceNow's own formula over its hardening
              settings, so it matches what the instance shows.
            </p>
          </div>
        </details>
      </div>
      <div class="grid gap-4 sm:grid-cols-3">
        <ScoreCard
          testId="score-security-center"
          label="Security Center hardening"
          score={sc.score}
          delta={moved.security_center?.delta}
          detail={`${sc.compliant} of ${sc.total} settings compliant, as ServiceNow computes it`}
        />
        <ScoreCard
          testId="score-hardening"
          label="Hardening, after mutes"
          score={scores!.hardening.score}
          delta={moved.hardening?.delta}
          detail={`${scores!.hardening.passed} pass · ${scores!.hardening.failed} fail`}
        />
        <ScoreCard
          testId="score-behavioural"
          label="Access, change and audit checks"
          score={scores!.behavioural.score}
          delta={moved.behavioural?.delta}
          detail={`${scores!.behavioural.passed} pass · ${scores!.behavioural.failed} fail`}
        />
      </div>
    </section>
  );
}
