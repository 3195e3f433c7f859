import type { ComponentChildren, JSX } from "preact";
import { Menu as MenuIcon } from "lucide";
import { Icon } from "./icon.tsx";

/**
 * The top bar of the app: the menu button on small screens, the page title,
 * and the tools on the right (organization switcher, theme, account).
 *
 * @example
 * <Navbar title="Team" onOpenMenu={openDrawer}>{tools}</Navbar>
 */
export function Navbar(
  { title, onOpenMenu, children }: {
    title: string;
    onOpenMenu: () => void;
    children?: ComponentChildren;
  },
): JSX.Element {
  return (
    <header class="sticky top-0 z-30 flex h-14 items-center gap-3 border-b border-line bg-surface/95 px-4 backdrop-blur supports-[backdrop-filter]:bg-surface/80 lg:px-6">
      <button
        type="button"
        onClick={onOpenMenu}
        class="-ml-1.5 rounded-md p-1.5 text-fg-muted hover:bg-surface-muted hover:text-fg lg:hidden"
        aria-label="Open navigation"
      >
        <Icon icon={MenuIcon} class="size-5" />
      </button>
      <p class="hidden truncate text-sm font-medium text-fg-muted sm:block" aria-hidden="true">
        {title}
      </p>
      <div class="ml-auto flex items-center gap-1.5 sm:gap-2">{children}</div>
    </header>
  );
}
