import type { JSX } from "preact";
import { CircleAlert, CircleCheck, Info, X } from "lucide";
import type { Toast } from "../lib/toast.ts";
import { cx } from "../lib/cx.ts";
import { Icon } from "./icon.tsx";

const TONES = {
  success: { icon: CircleCheck, class: "text-emerald-700 dark:text-emerald-300" },
  error: { icon: CircleAlert, class: "text-red-700 dark:text-red-300" },
  info: { icon: Info, class: "text-accent-text" },
};

/**
 * Where toasts appear. Two live regions: polite for success/info, assertive
 * (`role="alert"`) for errors, which stay until dismissed.
 *
 * @example
 * <ToastRegion toasts={toasts.toasts.value} onDismiss={toasts.dismiss} />
 */
export function ToastRegion(
  { toasts, onDismiss }: { toasts: ReadonlyArray<Toast>; onDismiss: (id: number) => void },
): JSX.Element {
  const render = (toast: Toast) => {
    const tone = TONES[toast.tone];
    return (
      <div
        key={toast.id}
        class="pointer-events-auto flex w-full animate-toast-in items-start gap-3 rounded-lg border border-line bg-surface p-3.5 shadow-lg"
      >
        <Icon icon={tone.icon} class={cx("mt-0.5 size-5", tone.class)} />
        <div class="min-w-0 flex-1">
          <p class="text-sm font-medium text-fg">{toast.title}</p>
          {toast.description && <p class="mt-0.5 text-sm text-fg-muted">{toast.description}</p>}
        </div>
        <button
          type="button"
          onClick={() => onDismiss(toast.id)}
          class="-m-1 rounded-md p-1 text-fg-muted hover:bg-surface-muted hover:text-fg"
          aria-label="Dismiss notification"
        >
          <Icon icon={X} />
        </button>
      </div>
    );
  };
  return (
    <div class="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-end gap-2 p-4 sm:bottom-4 sm:right-4 sm:left-auto sm:w-96">
      <div role="status" aria-live="polite" class="flex w-full flex-col gap-2">
        {toasts.filter((t) => t.tone !== "error").map(render)}
      </div>
      <div role="alert" aria-live="assertive" class="flex w-full flex-col gap-2">
        {toasts.filter((t) => t.tone === "error").map(render)}
      </div>
    </div>
  );
}
