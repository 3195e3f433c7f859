import type { ComponentChildren, JSX } from "preact";
import { useId } from "preact/hooks";
import { X } from "lucide";
import { cx } from "../lib/cx.ts";
import { DialogBase } from "./_dialog.tsx";
import { Icon } from "./icon.tsx";

/** Props of {@linkcode Modal}. */
export interface ModalProps {
  open: boolean;
  onClose: () => void;
  title: string;
  description?: ComponentChildren;
  /** Buttons, right-aligned under the content. */
  footer?: ComponentChildren;
  size?: "sm" | "md" | "lg";
  role?: "dialog" | "alertdialog";
  children?: ComponentChildren;
}

const SIZES = { sm: "max-w-sm", md: "max-w-lg", lg: "max-w-2xl" };

/**
 * A centred modal dialog. Focus is trapped inside and restored on close; Escape,
 * the close button and a click on the backdrop call `onClose`.
 *
 * @example
 * <Modal open={open.value} onClose={() => open.value = false} title="Add member">…</Modal>
 */
export function Modal(props: ModalProps): JSX.Element {
  const id = useId();
  const titleId = `dlg-${id}-title`;
  const descriptionId = props.description ? `dlg-${id}-desc` : undefined;
  return (
    <DialogBase
      open={props.open}
      onClose={props.onClose}
      labelledBy={titleId}
      describedBy={descriptionId}
      role={props.role}
      class={cx("m-auto w-[calc(100%-2rem)]", SIZES[props.size ?? "md"])}
    >
      <div class="animate-dialog-in rounded-xl border border-line bg-surface shadow-2xl">
        <div class="flex items-start justify-between gap-4 px-6 pt-5">
          <div class="space-y-1">
            <h2 id={titleId} class="text-lg font-semibold text-fg">
              {props.title}
            </h2>
            {props.description && (
              <p id={descriptionId} class="text-sm text-fg-muted">
                {props.description}
              </p>
            )}
          </div>
          <button
            type="button"
            onClick={props.onClose}
            class="-mr-2 rounded-md p-1.5 text-fg-muted hover:bg-surface-muted hover:text-fg"
            aria-label="Close"
          >
            <Icon icon={X} class="size-5" />
          </button>
        </div>
        <div class="px-6 py-4">{props.children}</div>
        {props.footer && (
          <div class="flex flex-wrap justify-end gap-2 rounded-b-xl border-t border-line bg-surface-muted px-6 py-3">
            {props.footer}
          </div>
        )}
      </div>
    </DialogBase>
  );
}
