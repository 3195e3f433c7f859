import assert from "node:assert/strict";
import { createThemeModel, THEME_KEY } from "./theme.ts";
import { memoryStore } from "./storage.ts";

function fakeQuery(matches: boolean) {
  const listeners = new Set<(event: MediaQueryListEvent) => void>();
  return {
    matches,
    addEventListener: (_: string, fn: (event: MediaQueryListEvent) => void) => listeners.add(fn),
    removeEventListener: (_: string, fn: (event: MediaQueryListEvent) => void) =>
      listeners.delete(fn),
    fire(next: boolean) {
      for (const fn of listeners) fn({ matches: next } as MediaQueryListEvent);
    },
  };
}

Deno.test("createThemeModel() follows the system until the user chooses, and remembers the choice", () => {
  const store = memoryStore();
  const query = fakeQuery(true);
  const applied: string[] = [];
  const theme = createThemeModel({
    store,
    darkQuery: query as unknown as MediaQueryList,
    apply: (t) => applied.push(t),
  });
  assert.equal(theme.preference.value, "system");
  assert.equal(theme.resolved.value, "dark");
  query.fire(false);
  assert.equal(theme.resolved.value, "light");
  theme.setPreference("dark");
  assert.equal(store.getItem(THEME_KEY), "dark");
  query.fire(false);
  assert.equal(theme.resolved.value, "dark");
  assert.deepEqual(applied, ["dark", "light", "dark"]);
  theme.cycle();
  assert.equal(theme.preference.value, "system");
  theme.dispose();

  const again = createThemeModel({ store, darkQuery: null, apply: () => {} });
  assert.equal(again.preference.value, "system");
  again.dispose();
});
