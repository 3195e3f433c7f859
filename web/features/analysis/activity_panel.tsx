import type { JSX } from "preact";
import { Alert } from "../../components/alert.tsx";
import { ProgressBar } from "../../components/progress_bar.tsx";
import type { JobProgress, RunProgress } from "./analysis_api.ts";

/**
 * What is under way for the instance: its sync (the first one reads the whole
 * instance), then the analysis after it, until the results are shown; or why
 * the last run did not finish.
 */
export function ActivityPanel(
  props: {
    sync: JobProgress | null;
    live: RunProgress | null;
    running: boolean;
    /** No results yet: this is the instance's first sync or analysis. */
    first: boolean;
  },
): JSX.Element | null {
  const { sync, live, running } = props;
  const failed = live && !running && (live.status === "failed" || live.status === "cancelled");
  if (!sync && !running && !failed) return null;
  return (
    <div class="space-y-4 rounded-lg border border-line bg-surface p-4" data-testid="activity">
      {sync && (
        <div data-testid="sync-progress">
          <ProgressBar
            label={props.first ? "First sync: reading the instance" : "Sync in progress"}
            value={Math.round(sync.progress * 100)}
            max={100}
            valueText={`${Math.round(sync.progress * 100)}%`}
          />
          <p class="mt-2 text-xs text-fg-muted" aria-live="polite">
            {sync.progress_message || "Queued"}
            {props.first && " · The analysis starts by itself when the sync has finished."}
          </p>
        </div>
      )}
      {live && running && (
        <div data-testid="run-progress">
          <ProgressBar
            label="Analysis in progress"
            value={Math.round(live.progress * 100)}
            max={100}
            valueText={`${live.checks_done} of ${live.checks_total || "…"} checks`}
          />
          <p class="mt-2 text-xs text-fg-muted" aria-live="polite">
            {live.status === "queued" || live.status === "running"
              ? live.message
              : "Finished; loading the results…"}
          </p>
        </div>
      )}
      {live && failed && (
        <div data-testid="run-progress">
          <Alert
            tone="error"
            title={live.status === "cancelled"
              ? "The analysis was cancelled"
              : "The analysis failed"}
          >
            {live.error ?? "Start it again; if it keeps failing, check the instance's last sync."}
          </Alert>
        </div>
      )}
    </div>
  );
}
