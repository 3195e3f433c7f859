import type { JSX } from "preact";
import { cx } from "../lib/cx.ts";

/** A decorative spinning circle; pair it with text or use {@linkcode Loader}. */
export function Spinner({ class: className }: { class?: string }): JSX.Element {
  return (
    <svg class={cx("animate-spin", className ?? "size-5")} viewBox="0 0 24 24" aria-hidden="true">
      <circle
        cx="12"
        cy="12"
        r="9"
        fill="none"
        stroke="currentColor"
        stroke-opacity="0.25"
        stroke-width="3"
      />
      <path
        d="M21 12a9 9 0 0 0-9-9"
        fill="none"
        stroke="currentColor"
        stroke-width="3"
        stroke-linecap="round"
      />
    </svg>
  );
}

/**
 * A loading indicator announced to screen readers.
 *
 * @example
 * <Loader label="Loading members" />
 */
export function Loader(
  { label = "Loading", class: className, inline = false }: {
    label?: string;
    class?: string;
    inline?: boolean;
  },
): JSX.Element {
  return (
    <div
      role="status"
      class={cx(
        "flex items-center gap-2 text-fg-muted",
        inline ? "" : "justify-center py-12",
        className,
      )}
    >
      <Spinner class="size-5 text-accent" />
      <span class={inline ? "text-sm" : "text-sm"}>{label}…</span>
    </div>
  );
}

/** Grey placeholder blocks shown while content loads. */
export function Skeleton({ class: className }: { class?: string }): JSX.Element {
  return (
    <div
      class={cx("animate-pulse rounded bg-surface-sunken", className)}
      aria-hidden="true"
    />
  );
}
