/**
 * A live preview: loads a widget's data (saved version or unsaved
 * configuration) and draws it with {@linkcode WidgetView}.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Skeleton } from "../../components/loader.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { formatWhen } from "../dashboard/posture_ui.tsx";
import { WidgetView } from "./widget_view.tsx";
import type { WidgetPayload } from "./widgets_api.ts";

/**
 * Loads `load()` whenever `deps` change (after `delayMs`, so typing does not
 * send a request per keystroke) and draws the result.
 */
export function WidgetPreview(
  props: { load: () => Promise<WidgetPayload>; deps: unknown[]; delayMs?: number; label: string },
): JSX.Element {
  const [payload, setPayload] = useState<WidgetPayload | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      props.load().then(
        (p) => live && (setPayload(p), setError(null)),
        (e) => live && setError(errorMessage(e)),
      );
    }, props.delayMs ?? 0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, props.deps);
  return (
    <section aria-label={props.label} aria-busy={!payload && !error} class="min-h-24">
      {error ? <p class="text-sm text-red-700 dark:text-red-300">{error}</p> : payload
        ? (
          <>
            <WidgetView template={payload.template} data={payload.data} />
            <p class="mt-2 text-xs text-fg-muted">As of {formatWhen(payload.generated_at)}</p>
          </>
        )
        : <Skeleton class="h-24" />}
    </section>
  );
}
