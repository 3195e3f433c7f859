import type { JSX } from "preact";
import { Monitor, Moon, Sun } from "lucide";
import { Icon } from "../components/icon.tsx";
import { useApp } from "./services.ts";

const NEXT = { light: "dark", dark: "system", system: "light" } as const;
const ICONS = { light: Sun, dark: Moon, system: Monitor };
const NAMES = { light: "light", dark: "dark", system: "system" };

/** Cycles the theme light → dark → system; the label says what is on and what comes next. */
export function ThemeToggle(): JSX.Element {
  const { theme } = useApp();
  const current = theme.preference.value;
  return (
    <button
      type="button"
      onClick={() => theme.cycle()}
      class="rounded-md p-2 text-fg-muted hover:bg-surface-muted hover:text-fg"
      aria-label={`Theme: ${NAMES[current]}. Switch to ${NAMES[NEXT[current]]} theme`}
      title={`Theme: ${NAMES[current]}`}
      data-theme-preference={current}
    >
      <Icon icon={ICONS[current]} class="size-5" />
    </button>
  );
}
