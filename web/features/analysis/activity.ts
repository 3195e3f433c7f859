/**
 * What is happening to one instance in the background — a sync, an analysis
 * run — followed over the jobs stream, so the Analysis page updates by itself
 * when either finishes (a sync started by its schedule, by the first setup, or
 * by someone else included).
 *
 * @module
 */
import type { JobProgress } from "./analysis_api.ts";

/** What the jobs stream says about a job as it changes. */
export type JobUpdate = Omit<JobProgress, "kind" | "subject">;

/** Follows a job's progress over the jobs SSE stream; returns a function that stops following. */
export type JobWatcher = (
  jobId: string,
  onProgress: (job: JobUpdate) => void,
  onEnd: () => void,
) => () => void;

/** The task kinds the page follows. */
export const SYNC_KIND = "servicenow.sync";
const RUN_KIND = "analysis.run";

/** Options of {@linkcode createActivityFollower}. */
export interface ActivityOptions {
  /** The instance's work in progress: its sync (by the instance's own account) and runs. */
  listActive: () => Promise<JobProgress[]>;
  watchJob: JobWatcher;
  /** Progress of the instance's sync; null once it ended. */
  onSync: (job: JobProgress | null) => void;
  /** A sync ended: the analysis after it is queued by now. */
  onSyncEnd: () => void;
  /** An analysis run is queued or running (perhaps one the page did not start). */
  onRun: (jobId: string) => void;
  /** How often to look for new work while nothing is followed; 0 never. */
  pollMs: number;
}

/** Follows an instance's background work until stopped. */
export interface ActivityFollower {
  /** Looks for new work now. */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Starts following one instance's syncs and runs: once now, then every
 * `pollMs`. A followed sync ends when its job stream says so, or when the
 * instance no longer lists it as in progress, whichever comes first.
 *
 * @param options how to list and watch jobs, and what to tell the page
 */
export function createActivityFollower(options: ActivityOptions): ActivityFollower {
  let stopped = false;
  let stopSync: (() => void) | null = null;
  let followedSync: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function schedule(): void {
    clearTimeout(timer);
    if (stopped || options.pollMs <= 0) return;
    timer = setTimeout(() => void check(), options.pollMs);
  }

  function endSync(): void {
    stopSync?.();
    stopSync = null;
    followedSync = null;
    if (stopped) return;
    options.onSync(null);
    options.onSyncEnd();
  }

  async function check(): Promise<void> {
    if (stopped) return;
    let jobs: JobProgress[];
    try {
      jobs = await options.listActive();
    } catch {
      // The next check tries again; the page keeps what it shows.
      return schedule();
    }
    if (stopped) return;
    const sync = jobs.find((j) => j.kind === SYNC_KIND);
    // The sync followed is over by the instance's account, even if its stream is not.
    if (followedSync && sync?.id !== followedSync) endSync();
    if (sync && sync.id !== followedSync) {
      followedSync = sync.id;
      options.onSync(sync);
      stopSync = options.watchJob(sync.id, (job) => {
        if (!stopped && followedSync === sync.id) options.onSync({ ...sync, ...job });
      }, () => {
        if (followedSync !== sync.id) return;
        endSync();
        schedule();
      });
    }
    const run = jobs.find((j) => j.kind === RUN_KIND);
    if (run) options.onRun(run.id);
    schedule();
  }

  void check();
  return {
    check,
    stop() {
      stopped = true;
      clearTimeout(timer);
      stopSync?.();
      stopSync = null;
    },
  };
}
