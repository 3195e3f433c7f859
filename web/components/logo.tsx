import type { JSX } from "preact";
import { cx } from "../lib/cx.ts";

/**
 * The ComplianceIQ mark and wordmark.
 *
 * @param props `compact` shows the mark only; `class` sizes the whole logo
 */
export function Logo(
  { compact = false, class: className }: { compact?: boolean; class?: string },
): JSX.Element {
  return (
    <span
      class={cx("inline-flex items-center gap-2 font-semibold tracking-tight text-fg", className)}
    >
      <svg viewBox="0 0 32 32" class="size-7 shrink-0" aria-hidden="true">
        <rect width="32" height="32" rx="8" class="fill-brand-600 dark:fill-brand-500" />
        <path
          d="M16 6.5 8.5 9.3v6.1c0 4.7 3.2 8.6 7.5 10.1 4.3-1.5 7.5-5.4 7.5-10.1V9.3L16 6.5Z"
          fill="#fff"
          fill-opacity=".95"
        />
        <path
          d="m12.4 16 2.5 2.5 4.9-5"
          fill="none"
          class="stroke-brand-600 dark:stroke-brand-500"
          stroke-width="2.2"
          stroke-linecap="round"
          stroke-linejoin="round"
        />
      </svg>
      {compact ? <span class="sr-only">ComplianceIQ</span> : (
        <span class="text-[15px]">
          Compliance<span class="text-accent-text">IQ</span>
        </span>
      )}
    </span>
  );
}
