/**
 * The counts of a run, derived once so every place on the page says the same:
 * how many checks ran, how they ended, how many were scored, and how many
 * resources fail.
 *
 * @module
 */
import type { RunDetail } from "./analysis_api.ts";
import { verdictStyle } from "./verdicts.ts";

const KNOWN = new Set(["PASS", "FAIL", "NOT_EVALUATED", "MUTED"]);

/** What a run counted. */
export interface RunCounts {
  /** Checks the run evaluated or tried to: every check in its scope. */
  ran: number;
  passed: number;
  failed: number;
  notEvaluated: number;
  muted: number;
  /** Checks with any other verdict, by verdict (e.g. one the catalog adds later). */
  other: Record<string, number>;
  /** Checks that count in the risk-weighted scores (passed + failed). */
  scored: number;
  /** Failing resources, muted ones included (what the Findings tab lists by default). */
  failingFindings: number;
  /** Of those, muted. */
  mutedFindings: number;
}

/**
 * The counts of a finished run, from its summary (the run's own checks after
 * suppressions). Verdicts other than the four known ones are counted as run.
 *
 * @param run a run with its summary
 */
export function runCounts(run: Pick<RunDetail, "checks_total" | "summary">): RunCounts {
  const effective = run.summary?.checks.by_effective ?? {};
  const n = (key: string) => effective[key] ?? 0;
  const passed = n("PASS");
  const failed = n("FAIL");
  return {
    ran: run.summary?.checks.total ?? run.checks_total,
    passed,
    failed,
    notEvaluated: n("NOT_EVALUATED"),
    muted: n("MUTED"),
    other: Object.fromEntries(Object.entries(effective).filter(([k, v]) => !KNOWN.has(k) && v > 0)),
    scored: passed + failed,
    failingFindings: run.summary?.findings.failing ?? 0,
    mutedFindings: run.summary?.findings.muted ?? 0,
  };
}

/**
 * One sentence about the checks of a run, the same wherever it is shown.
 *
 * @param counts from {@linkcode runCounts}
 * @example
 * checksSentence(counts) // "355 checks ran: 188 pass, 161 fail, 6 not evaluated"
 */
export function checksSentence(counts: RunCounts): string {
  const parts = [`${counts.passed} pass`, `${counts.failed} fail`];
  if (counts.notEvaluated > 0) parts.push(`${counts.notEvaluated} not evaluated`);
  if (counts.muted > 0) parts.push(`${counts.muted} muted`);
  for (const [verdict, n] of Object.entries(counts.other)) {
    parts.push(`${n} ${verdictStyle(verdict).label.toLowerCase()}`);
  }
  return `${counts.ran} check${counts.ran === 1 ? "" : "s"} ran: ${parts.join(", ")}`;
}
