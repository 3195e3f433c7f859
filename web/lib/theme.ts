import { computed, type ReadonlySignal, signal } from "@preact/signals";
import type { KeyValueStore } from "./storage.ts";

/** What the user chose: a fixed theme, or follow the operating system. */
export type ThemePreference = "light" | "dark" | "system";

/** Storage key, also read by the inline script in index.html before first paint. */
export const THEME_KEY = "ciq.theme";

/** The theme state of the app. */
export interface ThemeModel {
  preference: ReadonlySignal<ThemePreference>;
  /** The theme in effect once "system" is resolved. */
  resolved: ReadonlySignal<"light" | "dark">;
  setPreference(preference: ThemePreference): void;
  /** Cycles light → dark → system, for the toolbar toggle. */
  cycle(): void;
  /** Stops following the system setting. */
  dispose(): void;
}

/** What the theme model needs from the browser; tests pass fakes. */
export interface ThemeEnvironment {
  store: KeyValueStore;
  /** `matchMedia("(prefers-color-scheme: dark)")`, or null outside a browser. */
  darkQuery: Pick<MediaQueryList, "matches" | "addEventListener" | "removeEventListener"> | null;
  /** Applies the resolved theme (toggles the `dark` class on <html>). */
  apply: (theme: "light" | "dark") => void;
}

function parsePreference(value: string | null): ThemePreference {
  return value === "light" || value === "dark" ? value : "system";
}

/**
 * Creates the theme model: the saved choice (default "system"), resolved
 * against `prefers-color-scheme`, applied to the page and persisted on change.
 *
 * @param env storage, media query and how to apply a theme
 */
export function createThemeModel(env: ThemeEnvironment): ThemeModel {
  const preference = signal(parsePreference(env.store.getItem(THEME_KEY)));
  const systemDark = signal(env.darkQuery?.matches ?? false);
  const resolved = computed(() =>
    preference.value === "system" ? (systemDark.value ? "dark" : "light") : preference.value
  );
  const onChange = (event: MediaQueryListEvent) => systemDark.value = event.matches;
  env.darkQuery?.addEventListener("change", onChange);
  const stop = resolved.subscribe((theme) => env.apply(theme));

  function setPreference(next: ThemePreference): void {
    preference.value = next;
    env.store.setItem(THEME_KEY, next);
  }
  return {
    preference,
    resolved,
    setPreference,
    cycle() {
      const order: ThemePreference[] = ["light", "dark", "system"];
      setPreference(order[(order.indexOf(preference.value) + 1) % order.length] ?? "system");
    },
    dispose() {
      env.darkQuery?.removeEventListener("change", onChange);
      stop();
    },
  };
}
