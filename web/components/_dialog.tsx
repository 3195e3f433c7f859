import type { ComponentChildren, JSX } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import { cx } from "../lib/cx.ts";
import { focusInitial, trapTab } from "./_focus.ts";

/** Props of the dialog base shared by Modal and Drawer. */
export interface DialogBaseProps {
  open: boolean;
  onClose: () => void;
  labelledBy: string;
  describedBy?: string;
  /** Role for alert-style confirmations. */
  role?: "dialog" | "alertdialog";
  class?: string;
  children: ComponentChildren;
}

/**
 * A native modal `<dialog>` (top layer, inert background, Escape to close)
 * with the focus handling screen-reader and keyboard users rely on: focus
 * moves in on open, Tab cycles inside, and focus returns to the element that
 * opened it on close.
 */
export function DialogBase(props: DialogBaseProps): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  // Layout effects run right after the commit, so focus never rests on <body>
  // between the content unmounting and the opener getting focus back.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog || !props.open) return;
    opener.current = dialog.ownerDocument.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    focusInitial(dialog);
    return () => {
      if (dialog.open) dialog.close();
      const back = opener.current;
      // Restore focus to the opener, unless it left the page (e.g. a removed row).
      if (back && back.isConnected) back.focus();
      else dialog.ownerDocument.querySelector<HTMLElement>("main")?.focus();
    };
  }, [props.open]);

  return (
    <dialog
      ref={ref}
      role={props.role === "alertdialog" ? "alertdialog" : undefined}
      aria-modal="true"
      aria-labelledby={props.labelledBy}
      aria-describedby={props.describedBy}
      class={cx("bg-transparent p-0 text-fg backdrop:backdrop-blur-[1px]", props.class)}
      onCancel={(event) => {
        event.preventDefault();
        onClose.current();
      }}
      onKeyDown={(event) => ref.current && trapTab(ref.current, event)}
      onMouseDown={(event) => {
        // A press on the backdrop (the dialog box itself, outside the panel) closes it.
        if (event.target === ref.current) onClose.current();
      }}
    >
      {props.open && props.children}
    </dialog>
  );
}
