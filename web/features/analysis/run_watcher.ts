import type { RunProgress } from "./analysis_api.ts";

/** Follows a run's progress; returns a function that stops following. */
export type RunWatcher = (
  runId: string,
  onProgress: (progress: RunProgress) => void,
  onEnd: (status: string) => void,
) => () => void;

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

/**
 * Follows a run over Server-Sent Events (`/analysis/runs/:id/events`), and
 * falls back to polling when the stream cannot be opened.
 *
 * @param options the functions' base URL, the access token, and how to poll
 */
export function createRunWatcher(options: {
  functionsUrl: string;
  accessToken: () => Promise<string | null>;
  poll: (runId: string) => Promise<RunProgress>;
  pollMs?: number;
}): RunWatcher {
  return (runId, onProgress, onEnd) => {
    let stopped = false;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let received = false;

    const finish = (status: string) => {
      if (stopped) return;
      stopped = true;
      source?.close();
      clearTimeout(timer);
      onEnd(status);
    };
    const poll = async () => {
      if (stopped) return;
      try {
        const progress = await options.poll(runId);
        if (stopped) return;
        onProgress(progress);
        if (FINISHED.has(progress.status)) return finish(progress.status);
      } catch {
        // Keep polling: a transient error must not freeze the progress bar.
      }
      timer = setTimeout(poll, options.pollMs ?? 1500);
    };

    void (async () => {
      const token = await options.accessToken();
      if (stopped) return;
      if (!token || typeof EventSource === "undefined") return void poll();
      const url = `${options.functionsUrl.replace(/\/$/, "")}/analysis/runs/${runId}/events` +
        `?access_token=${encodeURIComponent(token)}`;
      source = new EventSource(url);
      source.addEventListener("progress", (event) => {
        received = true;
        onProgress(JSON.parse((event as MessageEvent).data) as RunProgress);
      });
      source.addEventListener("end", (event) => {
        finish((JSON.parse((event as MessageEvent).data) as { status: string }).status);
      });
      source.addEventListener("error", () => {
        // The stream ends after a while (EventSource reconnects by itself); if it
        // never delivered anything, the server does not stream to us: poll.
        if (!received && !stopped) {
          source?.close();
          void poll();
        }
      });
    })();

    return () => {
      stopped = true;
      source?.close();
      clearTimeout(timer);
    };
  };
}
