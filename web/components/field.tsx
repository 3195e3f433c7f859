import type { ComponentChildren, JSX } from "preact";
import { cx } from "../lib/cx.ts";

/** Props shared by labelled form controls. */
export interface FieldProps {
  /** Visible label, always rendered (placeholders are not labels). */
  label: string;
  /** Help text under the control, linked with aria-describedby. */
  hint?: ComponentChildren;
  /** Error text; marks the control invalid and is announced. */
  error?: string | null;
  /** Shows "(optional)" next to the label. */
  optional?: boolean;
  /** Hides the label visually (still read by screen readers). */
  hideLabel?: boolean;
}

/** Classes of text-like controls. */
export const controlClass = (invalid: boolean): string =>
  cx(
    "block w-full rounded-md border bg-surface px-3 text-sm text-fg shadow-sm transition-colors placeholder:text-fg-subtle",
    "focus:border-accent focus:outline-2 focus:outline-offset-0 focus:outline-ring/40 disabled:cursor-not-allowed disabled:bg-surface-muted disabled:text-fg-muted",
    invalid ? "border-red-600 dark:border-red-400" : "border-line-strong/60",
  );

/**
 * Lays out a label, a control, its hint and its error, with the ids that tie them together.
 *
 * @param props label texts and the control (rendered by `children(describedBy)`)
 */
export function Field(
  props: FieldProps & {
    id: string;
    class?: string;
    children: (describedBy: string | undefined) => ComponentChildren;
  },
): JSX.Element {
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const errorId = props.error ? `${props.id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ") || undefined;
  return (
    <div class={cx("space-y-1.5", props.class)}>
      <label
        for={props.id}
        class={cx("block text-sm font-medium text-fg", props.hideLabel && "sr-only")}
      >
        {props.label}
        {props.optional && <span class="ml-1 font-normal text-fg-muted">(optional)</span>}
      </label>
      {props.children(describedBy)}
      {props.error && (
        <p id={errorId} class="text-sm text-red-700 dark:text-red-300">
          {props.error}
        </p>
      )}
      {props.hint && (
        <div id={hintId} class="text-xs text-fg-muted">
          {props.hint}
        </div>
      )}
    </div>
  );
}
