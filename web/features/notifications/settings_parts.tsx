import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { RefreshCw } from "lucide";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { EmptyState } from "../../components/empty_state.tsx";

/**
 * A row's on/off state: a switch for those who manage it (busy while saving),
 * a badge for everyone else.
 */
export function EnabledSwitch(
  props: {
    /** What the switch turns on and off, for its accessible name. */
    name: string;
    enabled: boolean;
    canChange: boolean;
    onChange: (enabled: boolean) => Promise<void>;
  },
): JSX.Element {
  const [busy, setBusy] = useState(false);
  if (!props.canChange) {
    return (
      <Badge tone={props.enabled ? "success" : "neutral"}>{props.enabled ? "On" : "Off"}</Badge>
    );
  }
  return (
    <label class="inline-flex cursor-pointer items-center gap-2 text-sm text-fg">
      <input
        type="checkbox"
        role="switch"
        class="size-4 shrink-0 rounded border-line-strong accent-accent focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring disabled:cursor-wait"
        checked={props.enabled}
        disabled={busy}
        aria-label={`${props.name} enabled`}
        onChange={async (event) => {
          const input = event.currentTarget as HTMLInputElement;
          const next = input.checked;
          setBusy(true);
          try {
            await props.onChange(next);
          } catch {
            input.checked = !next;
          } finally {
            setBusy(false);
          }
        }}
      />
      <span aria-hidden="true">{props.enabled ? "On" : "Off"}</span>
    </label>
  );
}

/** A card's body when its list could not be loaded, with a retry. */
export function LoadError(
  props: { what: string; message: string; onRetry: () => void },
): JSX.Element {
  return (
    <EmptyState
      tone="error"
      title={`We couldn't load the ${props.what}`}
      description={props.message}
      action={
        <Button icon={RefreshCw} variant="secondary" onClick={props.onRetry}>Try again</Button>
      }
    />
  );
}
