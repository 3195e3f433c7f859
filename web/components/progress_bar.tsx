import type { JSX } from "preact";
import { cx } from "../lib/cx.ts";

/** Props of {@linkcode ProgressBar}. */
export interface ProgressBarProps {
  /** Accessible name, shown above the bar unless `hideLabel`. */
  label: string;
  /** Current value; omit for an indeterminate bar (work of unknown length). */
  value?: number;
  max?: number;
  /** Text for screen readers and the visible figure, e.g. "3 of 5 seats". */
  valueText?: string;
  tone?: "brand" | "success" | "warning" | "danger";
  hideLabel?: boolean;
  class?: string;
}

const TONES = {
  brand: "bg-accent",
  success: "bg-emerald-600 dark:bg-emerald-400",
  warning: "bg-amber-500 dark:bg-amber-400",
  danger: "bg-red-600 dark:bg-red-400",
};

/**
 * A progress bar (`role="progressbar"` with min, max and value announced).
 *
 * @example
 * <ProgressBar label="Seats used" value={3} max={5} valueText="3 of 5" />
 */
export function ProgressBar(props: ProgressBarProps): JSX.Element {
  const max = props.max ?? 100;
  const determinate = props.value !== undefined;
  const percent = determinate ? Math.min(100, Math.max(0, ((props.value ?? 0) / max) * 100)) : 0;
  const text = props.valueText ?? (determinate ? `${Math.round(percent)}%` : undefined);
  return (
    <div class={cx("space-y-1.5", props.class)}>
      {!props.hideLabel && (
        <div class="flex items-baseline justify-between gap-2 text-sm">
          <span class="font-medium text-fg">{props.label}</span>
          {text && <span class="tabular-nums text-fg-muted">{text}</span>}
        </div>
      )}
      <div
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={determinate ? props.value : undefined}
        aria-valuetext={text}
        class="h-2 w-full overflow-hidden rounded-full bg-surface-sunken"
      >
        <div
          class={cx(
            "h-full rounded-full transition-[width] duration-300",
            TONES[props.tone ?? "brand"],
            !determinate && "w-1/3 animate-pulse",
          )}
          style={determinate ? { width: `${percent}%` } : undefined}
        />
      </div>
    </div>
  );
}
