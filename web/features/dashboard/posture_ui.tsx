/**
 * Small presentational pieces shared by the Dashboard and Insights pages.
 *
 * @module
 */
import type { ComponentChildren, JSX } from "preact";
import { Badge, type BadgeTone } from "../../components/badge.tsx";
import type { ChartTone } from "../../components/chart.tsx";
import { cx } from "../../lib/cx.ts";

/** Severities, most severe first. */
export const SEVERITY_ORDER = ["critical", "high", "medium", "low", "informational"] as const;

const SEVERITY_TONES: Record<string, BadgeTone> = {
  critical: "danger",
  high: "warning",
  medium: "brand",
  low: "info",
  informational: "neutral",
};

/** Chart colour of a severity. */
export function severityChartTone(severity: string): ChartTone {
  return (SEVERITY_TONES[severity] ?? "neutral") as ChartTone;
}

/** A severity as a coloured badge. */
export function SeverityBadge(props: { severity: string }): JSX.Element {
  return (
    <Badge tone={SEVERITY_TONES[props.severity] ?? "neutral"}>
      {capitalize(props.severity)}
    </Badge>
  );
}

/** "critical" → "Critical", "not_evaluated" → "Not evaluated". */
export function capitalize(text: string): string {
  const spaced = text.replaceAll("_", " ").toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** Text colour of a 0–100 score: green from 80, amber from 50, red below. */
export function scoreClass(score: number | null | undefined): string {
  if (score === null || score === undefined) return "text-fg-muted";
  if (score >= 80) return "text-emerald-700 dark:text-emerald-400";
  if (score >= 50) return "text-amber-700 dark:text-amber-400";
  return "text-red-700 dark:text-red-400";
}

/** A score, coloured by its value; "—" when there is none. */
export function ScoreValue(
  props: { score: number | null | undefined; class?: string },
): JSX.Element {
  return (
    <span class={cx("font-semibold tabular-nums", scoreClass(props.score), props.class)}>
      {props.score === null || props.score === undefined ? "—" : props.score}
    </span>
  );
}

/** One figure with its label, for the summary row. */
export function StatTile(
  props: { label: string; value: ComponentChildren; hint?: ComponentChildren },
): JSX.Element {
  return (
    <div class="rounded-lg border border-line bg-surface px-4 py-3 shadow-xs">
      <p class="text-xs font-medium uppercase tracking-wide text-fg-muted">{props.label}</p>
      <p class="mt-1 text-2xl">{props.value}</p>
      {props.hint && <p class="mt-1 text-xs text-fg-muted">{props.hint}</p>}
    </div>
  );
}

/** A timestamp in the user's locale, e.g. "Dec 6, 2026, 10:15 PM"; "—" when absent. */
export function formatWhen(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return date.toLocaleString(undefined, {
    month: "short",
    day: "numeric",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** A date only, e.g. "Dec 6". */
export function formatDay(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? "—"
    : date.toLocaleDateString(undefined, { month: "short", day: "numeric" });
}

/** Where a check's failing findings are listed on the Analysis page. */
export function findingsHref(instanceId: string | null, checkId?: string): string {
  const params = new URLSearchParams({ tab: "findings" });
  if (instanceId) params.set("instance", instanceId);
  if (checkId) params.set("check", checkId);
  return `/app/analysis?${params}`;
}
