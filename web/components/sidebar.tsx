import type { ComponentChildren, JSX } from "preact";
import type { IconNode } from "lucide";
import { cx } from "../lib/cx.ts";
import { Icon } from "./icon.tsx";
import { Logo } from "./logo.tsx";

/** A link in the sidebar. */
export interface SidebarItem {
  href: string;
  label: string;
  icon: IconNode;
  active: boolean;
  /** A small count or status next to the label. */
  badge?: ComponentChildren;
}

/** A titled group of links. */
export interface SidebarSection {
  title: string;
  items: ReadonlyArray<SidebarItem>;
}

/**
 * The app's main navigation: the logo, then sections of links; the current
 * page is marked with `aria-current="page"`.
 *
 * @example
 * <Sidebar sections={navSections} footer={<p>Plan: Team</p>} />
 */
export function Sidebar(
  { sections, footer, class: className }: {
    sections: ReadonlyArray<SidebarSection>;
    footer?: ComponentChildren;
    class?: string;
  },
): JSX.Element {
  return (
    <div class={cx("flex h-full flex-col", className)}>
      <div class="flex h-14 items-center px-4">
        <a href="/app" class="rounded-md" aria-label="ComplianceIQ home">
          <Logo />
        </a>
      </div>
      <nav aria-label="Main" class="flex-1 space-y-6 overflow-y-auto px-3 py-4">
        {sections.map((section) => (
          <div key={section.title}>
            <p class="px-2 pb-2 text-xs font-semibold uppercase tracking-wider text-fg-muted">
              {section.title}
            </p>
            <ul class="space-y-0.5">
              {section.items.map((item) => (
                <li key={item.href}>
                  <a
                    href={item.href}
                    aria-current={item.active ? "page" : undefined}
                    class={cx(
                      "flex items-center gap-2.5 rounded-md px-2 py-1.5 text-sm font-medium transition-colors",
                      item.active
                        ? "bg-accent-soft text-accent-text"
                        : "text-fg-muted hover:bg-surface-muted hover:text-fg",
                    )}
                  >
                    <Icon icon={item.icon} class="size-4" />
                    <span class="flex-1">{item.label}</span>
                    {item.badge}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      {footer && <div class="border-t border-line p-3">{footer}</div>}
    </div>
  );
}
