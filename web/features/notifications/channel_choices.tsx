import type { JSX } from "preact";
import { cx } from "../../lib/cx.ts";
import { type Channel, CHANNEL_KINDS } from "./notification_catalog.ts";

/** The channels a rule sends to: a group of checkboxes (a native, keyboard-friendly multi-select). */
export function ChannelChoices(
  props: {
    channels: Channel[];
    selected: string[];
    error?: string;
    onValue: (ids: string[]) => void;
  },
): JSX.Element {
  const toggle = (id: string, on: boolean) =>
    props.onValue(on ? [...props.selected, id] : props.selected.filter((s) => s !== id));
  return (
    <fieldset
      class="min-w-0 space-y-1.5"
      aria-describedby={props.error ? "rule-channels-error" : undefined}
    >
      <legend class="text-sm font-medium text-fg">Channels</legend>
      {props.channels.length === 0 && (
        <p class="text-sm text-fg-muted">
          No channels yet: add one under Channels, or notify members in the app only.
        </p>
      )}
      <div
        class={cx(
          "grid gap-1.5 sm:grid-cols-2",
          props.channels.length > 8 && "max-h-48 overflow-y-auto",
        )}
      >
        {props.channels.map((c) => (
          <label key={c.id} class="flex min-w-0 items-center gap-2 text-sm text-fg">
            <input
              type="checkbox"
              class="size-4 shrink-0 rounded border-line-strong accent-accent focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
              checked={props.selected.includes(c.id)}
              onChange={(e) =>
                toggle(c.id, (e.currentTarget as HTMLInputElement).checked)}
            />
            <span class="truncate">{c.name}</span>
            <span class="shrink-0 text-xs text-fg-muted">
              {CHANNEL_KINDS[c.kind].label}
              {c.enabled ? "" : ", off"}
            </span>
          </label>
        ))}
      </div>
      {props.error && (
        <p id="rule-channels-error" class="text-xs text-red-700 dark:text-red-300">{props.error}</p>
      )}
    </fieldset>
  );
}
