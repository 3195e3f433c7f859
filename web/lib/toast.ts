import { type ReadonlySignal, signal } from "@preact/signals";

/** One notification. */
export interface Toast {
  id: number;
  tone: "success" | "error" | "info";
  title: string;
  description?: string;
}

/** The app's notifications: pushed by actions, rendered by `<ToastRegion>`. */
export interface ToastModel {
  toasts: ReadonlySignal<Toast[]>;
  success(title: string, description?: string): number;
  error(title: string, description?: string): number;
  info(title: string, description?: string): number;
  dismiss(id: number): void;
}

/**
 * Creates the toast model. Success and info toasts close after `durationMs`;
 * errors stay until dismissed, so they can be read at any pace.
 *
 * @param options how long non-error toasts stay, and the most shown at once
 */
export function createToastModel(
  options: { durationMs?: number; max?: number } = {},
): ToastModel {
  const toasts = signal<Toast[]>([]);
  const duration = options.durationMs ?? 5000;
  const max = options.max ?? 4;
  let next = 1;

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((toast) => toast.id !== id);
  }
  function push(tone: Toast["tone"], title: string, description?: string): number {
    const id = next++;
    toasts.value = [...toasts.value, { id, tone, title, description }].slice(-max);
    if (tone !== "error" && duration > 0) setTimeout(() => dismiss(id), duration);
    return id;
  }
  return {
    toasts,
    dismiss,
    success: (title, description) => push("success", title, description),
    error: (title, description) => push("error", title, description),
    info: (title, description) => push("info", title, description),
  };
}
