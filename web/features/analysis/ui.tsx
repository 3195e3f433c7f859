/**
 * Small presentational pieces of the analysis page: tabs, score figures,
 * severity and status badges, a copy button, date formatting.
 *
 * @module
 */
import type { ComponentChildren, JSX } from "preact";
import { useRef, useState } from "preact/hooks";
import { ArrowDownRight, ArrowUpRight, Check, Copy, Minus } from "lucide";
import { Badge, type BadgeTone } from "../../components/badge.tsx";
import { Icon } from "../../components/icon.tsx";
import { cx } from "../../lib/cx.ts";
import type { Severity, TriageState } from "./analysis_api.ts";
import { TRIAGE_LABELS } from "./analysis_api.ts";
import { verdictStyle } from "./verdicts.ts";

/** Tones of severities. */
export const SEVERITY_TONES: Record<Severity, BadgeTone> = {
  critical: "danger",
  high: "danger",
  medium: "warning",
  low: "info",
  informational: "neutral",
};

/** Labels of severities. */
export const SEVERITY_LABELS: Record<Severity, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
  informational: "Info",
};

/** A severity badge. */
export function SeverityBadge({ severity }: { severity: Severity }): JSX.Element {
  return <Badge tone={SEVERITY_TONES[severity]}>{SEVERITY_LABELS[severity]}</Badge>;
}

/** A verdict badge: Pass, Fail, Not evaluated, Muted (see `verdicts.ts`). */
export function StatusBadge({ status }: { status: string }): JSX.Element {
  const style = verdictStyle(status);
  return <Badge tone={style.tone}>{style.label}</Badge>;
}

const DELTA_TONES: Record<string, BadgeTone> = {
  new: "danger",
  reopened: "warning",
  unchanged: "neutral",
  resolved: "success",
};
const DELTA_LABELS: Record<string, string> = {
  new: "New",
  reopened: "Reopened",
  unchanged: "Unchanged",
  resolved: "Resolved",
};

/** A delta badge: New, Reopened, Unchanged, Resolved. */
export function DeltaBadge({ delta }: { delta: string | null }): JSX.Element | null {
  if (!delta) return null;
  return <Badge tone={DELTA_TONES[delta] ?? "neutral"}>{DELTA_LABELS[delta] ?? delta}</Badge>;
}

/** A triage badge. */
export function TriageBadge({ state }: { state: TriageState }): JSX.Element {
  const tone: BadgeTone = state === "open"
    ? "neutral"
    : state === "remediating"
    ? "info"
    : state === "under_review"
    ? "brand"
    : "warning";
  return <Badge tone={tone}>{TRIAGE_LABELS[state]}</Badge>;
}

/** How good a score is: its band's name and colours. */
export interface ScoreBand {
  label: "Good" | "Fair" | "Weak" | "Poor" | "No score";
  /** Text colour (AA on the surface in both themes). */
  text: string;
  /** Bar fill. */
  bar: string;
}

const BANDS: readonly (ScoreBand & { min: number })[] = [
  {
    min: 85,
    label: "Good",
    text: "text-emerald-700 dark:text-emerald-300",
    bar: "bg-emerald-600",
  },
  { min: 70, label: "Fair", text: "text-lime-800 dark:text-lime-300", bar: "bg-lime-600" },
  { min: 50, label: "Weak", text: "text-amber-800 dark:text-amber-300", bar: "bg-amber-500" },
  { min: 0, label: "Poor", text: "text-red-700 dark:text-red-300", bar: "bg-red-600" },
];

/**
 * The band of a score: Good (85+), Fair (70+), Weak (50+), Poor.
 *
 * @param score 0–100, or null when nothing was scored
 */
export function scoreBand(score: number | null): ScoreBand {
  if (score === null) return { label: "No score", text: "text-fg-muted", bar: "bg-slate-400" };
  return BANDS.find((b) => score >= b.min)!;
}

/** Text colour of a score by band. */
export function scoreTone(score: number | null): string {
  return scoreBand(score).text;
}

/** A score figure with its label, a detail line and the change since the previous run. */
export function ScoreCard(
  props: {
    label: string;
    score: number | null;
    detail: ComponentChildren;
    delta?: number | null;
    testId?: string;
  },
): JSX.Element {
  const delta = props.delta ?? null;
  return (
    <div class="rounded-lg border border-line bg-surface p-4 shadow-xs" data-testid={props.testId}>
      <p class="text-sm font-medium text-fg-muted">{props.label}</p>
      <p class="mt-1 flex flex-wrap items-baseline gap-x-2">
        <span class={cx("text-2xl font-semibold tabular-nums", scoreTone(props.score))}>
          {props.score === null ? "—" : props.score}
        </span>
        {props.score !== null && <span class="text-sm text-fg-muted">/ 100</span>}
        {props.score !== null && (
          <span class={cx("text-xs font-semibold", scoreTone(props.score))}>
            {scoreBand(props.score).label}
          </span>
        )}
        {delta !== null && (
          <span
            class={cx(
              "ml-auto inline-flex items-center gap-0.5 text-sm font-medium tabular-nums",
              delta > 0
                ? "text-emerald-700 dark:text-emerald-300"
                : delta < 0
                ? "text-red-700 dark:text-red-300"
                : "text-fg-muted",
            )}
            title="Change since the previous run"
          >
            <Icon
              icon={delta > 0 ? ArrowUpRight : delta < 0 ? ArrowDownRight : Minus}
              class="size-4"
            />
            {delta > 0 ? `+${delta}` : delta}
            <span class="sr-only">since the previous run</span>
          </span>
        )}
      </p>
      <p class="mt-1 text-xs text-fg-muted">{props.detail}</p>
    </div>
  );
}

/** Accessible tabs (arrow keys move between them). */
export function Tabs<T extends string>(
  props: {
    label: string;
    tabs: readonly { id: T; label: string; count?: number }[];
    current: T;
    onSelect: (id: T) => void;
  },
): JSX.Element {
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const move = (index: number) => {
    const tab = props.tabs[(index + props.tabs.length) % props.tabs.length]!;
    props.onSelect(tab.id);
    refs.current[tab.id]?.focus();
  };
  return (
    <div
      role="tablist"
      aria-label={props.label}
      class="-mx-1 flex flex-wrap gap-x-1 border-b border-line px-1 sm:flex-nowrap sm:overflow-x-auto sm:[scrollbar-width:thin]"
    >
      {props.tabs.map((tab, i) => {
        const selected = tab.id === props.current;
        return (
          <button
            key={tab.id}
            type="button"
            role="tab"
            id={`tab-${tab.id}`}
            aria-selected={selected}
            aria-controls={`panel-${tab.id}`}
            tabIndex={selected ? 0 : -1}
            ref={(el) => {
              refs.current[tab.id] = el;
            }}
            class={cx(
              "-mb-px shrink-0 whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium transition-colors",
              selected
                ? "border-accent text-accent-text"
                : "border-transparent text-fg-muted hover:text-fg",
            )}
            onClick={() => props.onSelect(tab.id)}
            onKeyDown={(event) => {
              if (event.key === "ArrowRight") move(i + 1);
              if (event.key === "ArrowLeft") move(i - 1);
            }}
          >
            {tab.label}
            {tab.count !== undefined && (
              <span class="ml-1.5 rounded-full bg-surface-sunken px-1.5 py-0.5 text-xs tabular-nums text-fg-muted">
                {tab.count}
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}

/** A button that copies text to the clipboard and says so. */
export function CopyButton({ text, label }: { text: string; label: string }): JSX.Element {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="inline-flex items-center gap-1 rounded-md border border-line bg-surface px-2 py-1 text-xs font-medium text-fg hover:bg-surface-muted"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        } catch {
          setCopied(false);
        }
      }}
    >
      <Icon icon={copied ? Check : Copy} class="size-3.5" />
      {copied ? "Copied" : label}
      <span class="sr-only" aria-live="polite">{copied ? "Copied to the clipboard" : ""}</span>
    </button>
  );
}

/**
 * A date and time in the user's locale, e.g. "Nov 21, 2026, 14:05".
 *
 * @param iso an ISO timestamp
 */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return date.toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** Human name of a value in evidence. */
export function evidenceText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** A one-line summary of a finding's evidence (its first few fields). */
export function evidenceSummary(evidence: Record<string, unknown>): string {
  return Object.entries(evidence).filter(([, v]) => typeof v !== "object" || v === null).slice(0, 3)
    .map(([k, v]) => `${k}: ${evidenceText(v)}`).join(" · ");
}
