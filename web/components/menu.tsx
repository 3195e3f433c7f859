import type { ComponentChildren, JSX } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { IconNode } from "lucide";
import { Check } from "lucide";
import { cx } from "../lib/cx.ts";
import { Icon } from "./icon.tsx";

/** One entry of a {@linkcode Menu}. */
export interface MenuItem {
  id: string;
  label: string;
  description?: string;
  icon?: IconNode;
  /** Renders a checked radio item (e.g. the current organization). */
  checked?: boolean;
  onSelect: () => void;
  tone?: "default" | "danger";
}

/** Props of {@linkcode Menu}. */
export interface MenuProps {
  /** Content of the trigger button. */
  trigger: ComponentChildren;
  /** Accessible name of the trigger, when it should say more than its visible text (which it must contain). */
  triggerLabel?: string;
  /** Accessible name of the menu; defaults to `triggerLabel`. */
  menuLabel?: string;
  triggerClass?: string;
  /** Groups of items, separated by dividers; a group may have a heading. */
  groups: ReadonlyArray<{ heading?: string; items: ReadonlyArray<MenuItem> }>;
  align?: "left" | "right";
}

/**
 * A menu button (WAI-ARIA menu pattern): Enter/Space/ArrowDown open it and focus
 * the first item, arrows and Home/End move, Escape or Tab closes it and focus
 * returns to the button.
 *
 * @example
 * <Menu trigger="Acme" groups={[{ items: orgs.map(toItem) }]} />
 */
export function Menu(props: MenuProps): JSX.Element {
  const [open, setOpen] = useState(false);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const menuId = `menu-${id}`;

  const items = () =>
    Array.from(list.current?.querySelectorAll<HTMLElement>("[role^=menuitem]") ?? []);

  useEffect(() => {
    if (!open) return;
    const first = items().find((el) => el.getAttribute("aria-checked") === "true") ?? items()[0];
    first?.focus();
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!list.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open]);

  function close(refocus: boolean): void {
    setOpen(false);
    if (refocus) button.current?.focus();
  }

  function onMenuKey(event: KeyboardEvent): void {
    const all = items();
    const index = all.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      event.preventDefault();
      all[(to + all.length) % all.length]?.focus();
    };
    if (event.key === "ArrowDown") move(index + 1);
    else if (event.key === "ArrowUp") move(index - 1);
    else if (event.key === "Home") move(0);
    else if (event.key === "End") move(all.length - 1);
    else if (event.key === "Escape") {
      event.preventDefault();
      close(true);
    } else if (event.key === "Tab") close(false);
  }

  return (
    <div class="relative">
      <button
        ref={button}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={props.triggerLabel}
        class={props.triggerClass}
        onClick={() => setOpen(!open)}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        {props.trigger}
      </button>
      {open && (
        <div
          ref={list}
          id={menuId}
          role="menu"
          aria-label={props.menuLabel ?? props.triggerLabel}
          onKeyDown={onMenuKey}
          class={cx(
            "absolute z-40 mt-2 w-72 overflow-hidden rounded-lg border border-line bg-surface py-1 shadow-xl",
            props.align === "left" ? "left-0" : "right-0",
          )}
        >
          {props.groups.map((group, g) => (
            <div
              key={g}
              role="group"
              aria-label={group.heading}
              class={cx(g > 0 && "border-t border-line mt-1 pt-1")}
            >
              {group.heading && (
                <p
                  class="px-3 pb-1 pt-1.5 text-xs font-semibold uppercase tracking-wide text-fg-muted"
                  aria-hidden="true"
                >
                  {group.heading}
                </p>
              )}
              {group.items.map((item) => (
                <button
                  key={item.id}
                  type="button"
                  role={item.checked === undefined ? "menuitem" : "menuitemradio"}
                  aria-checked={item.checked === undefined ? undefined : item.checked}
                  tabIndex={-1}
                  onClick={() => {
                    close(true);
                    item.onSelect();
                  }}
                  class={cx(
                    "flex w-full items-start gap-2.5 px-3 py-2 text-left text-sm hover:bg-surface-muted focus:bg-surface-muted focus:outline-none",
                    item.tone === "danger" ? "text-red-700 dark:text-red-300" : "text-fg",
                  )}
                >
                  {item.icon
                    ? <Icon icon={item.icon} class="mt-0.5 size-4 text-fg-muted" />
                    : item.checked !== undefined
                    ? (
                      <Icon
                        icon={Check}
                        class={cx("mt-0.5 size-4 text-accent", !item.checked && "invisible")}
                      />
                    )
                    : null}
                  <span class="min-w-0 flex-1">
                    <span class="block truncate font-medium">{item.label}</span>
                    {item.description && (
                      <span class="block truncate text-xs text-fg-muted">{item.description}</span>
                    )}
                  </span>
                </button>
              ))}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
