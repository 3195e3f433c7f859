import type { ComponentChildren, JSX } from "preact";
import { CircleAlert, CircleCheck, Info, TriangleAlert } from "lucide";
import { cx } from "../lib/cx.ts";
import { Icon } from "./icon.tsx";

const TONES = {
  info: {
    icon: Info,
    class:
      "border-sky-200 bg-sky-50 text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100",
  },
  success: {
    icon: CircleCheck,
    class:
      "border-emerald-200 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100",
  },
  warning: {
    icon: TriangleAlert,
    class:
      "border-amber-200 bg-amber-50 text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100",
  },
  error: {
    icon: CircleAlert,
    class:
      "border-red-200 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100",
  },
};

/**
 * An inline message inside a page or form. Errors are announced (`role="alert"`).
 *
 * @example
 * <Alert tone="error">Incorrect email or password.</Alert>
 */
export function Alert(
  { tone = "info", title, children, class: className }: {
    tone?: keyof typeof TONES;
    title?: string;
    children?: ComponentChildren;
    class?: string;
  },
): JSX.Element {
  const style = TONES[tone];
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      class={cx("flex gap-3 rounded-md border px-3.5 py-3 text-sm", style.class, className)}
    >
      <Icon icon={style.icon} class="mt-0.5 size-4" />
      <div class="min-w-0 space-y-0.5">
        {title && <p class="font-semibold">{title}</p>}
        {children && <div>{children}</div>}
      </div>
    </div>
  );
}
