import type { ComponentChildren, JSX } from "preact";
import { useId } from "preact/hooks";
import { X } from "lucide";
import { cx } from "../lib/cx.ts";
import { DialogBase } from "./_dialog.tsx";
import { Icon } from "./icon.tsx";

/** Props of {@linkcode Drawer}. */
export interface DrawerProps {
  open: boolean;
  onClose: () => void;
  title: string;
  /** Hides the title visually (e.g. the navigation drawer shows the logo instead). */
  hideTitle?: boolean;
  side?: "left" | "right";
  /** `md` (22rem, default) for navigation and short details; `lg` (35rem) for evidence and tables. */
  size?: "md" | "lg";
  footer?: ComponentChildren;
  children?: ComponentChildren;
}

/**
 * A panel that slides in from the side: for the mobile navigation and for
 * details that should not leave the page. Same focus rules as {@linkcode Modal}.
 *
 * @example
 * <Drawer open={menuOpen.value} onClose={closeMenu} title="Navigation" side="left">…</Drawer>
 */
export function Drawer(props: DrawerProps): JSX.Element {
  const id = useId();
  const titleId = `drw-${id}-title`;
  const left = (props.side ?? "right") === "left";
  return (
    <DialogBase
      open={props.open}
      onClose={props.onClose}
      labelledBy={titleId}
      class={cx(
        "m-0 h-dvh max-h-none max-w-none",
        props.size === "lg" ? "w-[min(35rem,calc(100%-1rem))]" : "w-[min(22rem,calc(100%-3rem))]",
        left ? "mr-auto" : "ml-auto",
      )}
    >
      <div
        class={cx(
          "relative flex h-full flex-col border-line bg-surface shadow-2xl",
          left ? "animate-drawer-in border-r" : "border-l",
        )}
      >
        <div
          class={cx(
            "flex items-center justify-between gap-3",
            props.hideTitle ? "absolute right-2 top-3 z-10" : "border-b border-line px-4 py-3",
          )}
        >
          <h2 id={titleId} class={cx("text-base font-semibold", props.hideTitle && "sr-only")}>
            {props.title}
          </h2>
          <button
            type="button"
            onClick={props.onClose}
            class="ml-auto rounded-md p-1.5 text-fg-muted hover:bg-surface-muted hover:text-fg"
            aria-label="Close"
          >
            <Icon icon={X} class="size-5" />
          </button>
        </div>
        <div class="flex-1 overflow-y-auto">{props.children}</div>
        {props.footer && <div class="border-t border-line px-4 py-3">{props.footer}</div>}
      </div>
    </DialogBase>
  );
}
