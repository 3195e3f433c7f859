/**
 * Follows an organization's jobs over the jobs stream (`/tasks/jobs/events`)
 * and reports when a sync or an analysis run finishes — what the dashboard
 * and insights pages refresh on. Falls back to polling the jobs list when the
 * stream cannot be opened.
 *
 * @module
 */

/** A job as the stream carries it (the fields this module reads). */
export interface StreamJob {
  id: string;
  kind: string;
  status: string;
}

/** Job kinds whose end changes the posture figures. */
export const POSTURE_JOB_KINDS: ReadonlySet<string> = new Set(["analysis.run", "servicenow.sync"]);
const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

/**
 * The posture jobs that finished between two snapshots of the jobs list: seen
 * unfinished before and finished now, or new and already finished.
 *
 * @param before the previous snapshot (null for the first one: nothing finished "since")
 * @param now the current snapshot
 */
export function finishedSince(
  before: readonly StreamJob[] | null,
  now: readonly StreamJob[],
): StreamJob[] {
  if (before === null) return [];
  const was = new Map(before.map((j) => [j.id, j.status]));
  return now.filter((j) =>
    POSTURE_JOB_KINDS.has(j.kind) && FINISHED.has(j.status) &&
    (!was.has(j.id) || !FINISHED.has(was.get(j.id)!))
  );
}

/** Whether a sync or a run is queued or running in a snapshot. */
export function postureWorkActive(jobs: readonly StreamJob[]): boolean {
  return jobs.some((j) => POSTURE_JOB_KINDS.has(j.kind) && !FINISHED.has(j.status));
}

/** What {@linkcode watchOrgJobs} reports. */
export interface JobWatchHandlers {
  /** Every snapshot: whether a sync or run is in progress. */
  onActive(active: boolean): void;
  /** A sync or run finished. */
  onFinished(jobs: StreamJob[]): void;
}

/**
 * Watches an organization's jobs; returns a function that stops watching.
 *
 * @param options where the functions are, the access token, how to poll
 * @param orgId the organization
 * @param handlers what to do on changes
 */
export function watchOrgJobs(
  options: {
    functionsUrl: string;
    accessToken: () => Promise<string | null>;
    poll: () => Promise<StreamJob[]>;
    pollMs?: number;
  },
  orgId: string,
  handlers: JobWatchHandlers,
): () => void {
  let stopped = false;
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last: StreamJob[] | null = null;
  let received = false;

  const snapshot = (jobs: StreamJob[]) => {
    if (stopped) return;
    const done = finishedSince(last, jobs);
    last = jobs;
    handlers.onActive(postureWorkActive(jobs));
    if (done.length) handlers.onFinished(done);
  };
  const poll = async () => {
    if (stopped) return;
    try {
      snapshot(await options.poll());
    } catch {
      // Keep polling: one failed request must not stop live updates.
    }
    timer = setTimeout(poll, options.pollMs ?? 5000);
  };

  void (async () => {
    const token = await options.accessToken();
    if (stopped) return;
    if (!token || typeof EventSource === "undefined") return void poll();
    const url = `${options.functionsUrl.replace(/\/$/, "")}/tasks/jobs/events` +
      `?org_id=${encodeURIComponent(orgId)}&access_token=${encodeURIComponent(token)}`;
    source = new EventSource(url);
    source.addEventListener("jobs", (event) => {
      received = true;
      snapshot((JSON.parse((event as MessageEvent).data) as { data: StreamJob[] }).data);
    });
    source.addEventListener("error", () => {
      // The stream closes after a while and EventSource reconnects by itself;
      // one that never delivered anything is not available to us: poll.
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
}
