import { batch, computed, type ReadonlySignal, signal } from "@preact/signals";
import { ApiError, errorMessage } from "../../lib/api_error.ts";
import {
  type AnalysisApi,
  DEFAULT_FILTERS,
  type FindingFilters,
  type FindingGroups,
  type FindingItem,
  type InstanceSummary,
  type JobProgress,
  type RunCheck,
  type RunDetail,
  type RunItem,
  type RunProgress,
  type RunScope,
} from "./analysis_api.ts";
import type { RunWatcher } from "./run_watcher.ts";
import { type ActivityFollower, createActivityFollower, type JobWatcher } from "./activity.ts";

type Status = "idle" | "loading" | "ready" | "error";

/** The analysis page's state: instance, runs, the run shown, its findings and checks. */
export interface AnalysisModel {
  instances: ReadonlySignal<InstanceSummary[]>;
  instanceId: ReadonlySignal<string | null>;
  runs: ReadonlySignal<RunItem[]>;
  /** The run whose results are shown (the latest succeeded one by default). */
  run: ReadonlySignal<RunDetail | null>;
  status: ReadonlySignal<Status>;
  error: ReadonlySignal<string | null>;
  /** Progress of a run in flight (its final status once its results are loaded). */
  live: ReadonlySignal<RunProgress | null>;
  /**
   * True from the start of a run until its results are shown: a run that has
   * ended but whose results are still loading counts as running, so the page
   * never presents the previous run's results as the new run's.
   */
  running: ReadonlySignal<boolean>;
  /** A sync of the instance in progress (its job), or null. */
  sync: ReadonlySignal<JobProgress | null>;
  findings: ReadonlySignal<FindingItem[]>;
  /** The run's findings matching the filters (but the check), grouped by check, with the total. */
  groups: ReadonlySignal<FindingGroups | null>;
  findingsStatus: ReadonlySignal<Status>;
  findingsError: ReadonlySignal<string | null>;
  nextCursor: ReadonlySignal<string | null>;
  filters: ReadonlySignal<FindingFilters>;
  checks: ReadonlySignal<RunCheck[]>;
  checksStatus: ReadonlySignal<Status>;
  /** Loads instances and the runs of the chosen (or first) instance. */
  load(preferred?: { instanceId?: string | null; runId?: string | null }): Promise<void>;
  selectInstance(id: string): Promise<void>;
  selectRun(id: string): Promise<void>;
  /** Starts a run and follows it; resolves once it is queued. */
  start(scope: RunScope): Promise<void>;
  setFilters(patch: Partial<FindingFilters>): Promise<void>;
  /**
   * Filters the findings by the organization's default framework, unless the
   * user has chosen a framework filter (or "All frameworks") already.
   */
  applyDefaultFramework(frameworkId: string | null): Promise<void>;
  loadMore(): Promise<void>;
  /** Reloads the shown run's scores and lists (after a mute, a triage…). */
  refresh(): Promise<void>;
  loadChecks(): Promise<void>;
  dispose(): void;
}

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

/**
 * Creates the analysis model for one organization.
 *
 * @param api the analysis endpoints
 * @param context the organization, how to follow a run, and what to do on a 403
 */
export function createAnalysisModel(
  api: AnalysisApi,
  context: {
    orgId: string;
    watchRun: RunWatcher;
    /** Follows syncs and runs of the instance shown, so the page updates when they finish. */
    watchJob?: JobWatcher;
    /** How often to look for a sync or run started elsewhere (default 20 s; 0 never). */
    activityPollMs?: number;
    onAccessChanged?: () => void;
    pageSize?: number;
  },
): AnalysisModel {
  const instances = signal<InstanceSummary[]>([]);
  const instanceId = signal<string | null>(null);
  const runs = signal<RunItem[]>([]);
  const run = signal<RunDetail | null>(null);
  const status = signal<Status>("idle");
  const error = signal<string | null>(null);
  const live = signal<RunProgress | null>(null);
  const sync = signal<JobProgress | null>(null);
  const findings = signal<FindingItem[]>([]);
  const groups = signal<FindingGroups | null>(null);
  const findingsStatus = signal<Status>("idle");
  const findingsError = signal<string | null>(null);
  const nextCursor = signal<string | null>(null);
  const filters = signal<FindingFilters>(DEFAULT_FILTERS);
  const checks = signal<RunCheck[]>([]);
  const checksStatus = signal<Status>("idle");
  /** A followed run has ended; its results are not shown yet. */
  const loadingResults = signal(false);
  const running = computed(() => {
    const progress = live.value;
    return progress !== null && (!FINISHED.has(progress.status) || loadingResults.value);
  });
  let stopWatch: (() => void) | null = null;
  let activity: ActivityFollower | null = null;
  /** The user picked a framework filter (or "All frameworks"): defaults no longer apply. */
  let frameworkChosen = false;
  let generation = 0;
  /** Bumped whenever the shown run changes, so a late answer about another run's checks is dropped. */
  let checksGeneration = 0;

  const fail = (cause: unknown, target = error) => {
    if (cause instanceof ApiError && cause.status === 403) context.onAccessChanged?.();
    target.value = errorMessage(cause);
  };

  async function loadFindings(append: boolean): Promise<void> {
    const current = run.value;
    if (!current || current.status !== "succeeded") {
      batch(() => {
        findings.value = [];
        groups.value = null;
        nextCursor.value = null;
        findingsStatus.value = "ready";
      });
      return;
    }
    const mine = generation;
    findingsStatus.value = "loading";
    findingsError.value = null;
    try {
      const [page, grouped] = await Promise.all([
        api.findings({ runId: current.id }, filters.value, {
          cursor: append ? nextCursor.value : null,
          limit: context.pageSize ?? 50,
        }),
        // The groups list every check the other filters match, so one can be picked.
        append
          ? null
          : api.findingGroups({ runId: current.id }, { ...filters.value, check_id: "" }),
      ]);
      if (mine !== generation) return;
      batch(() => {
        if (grouped) groups.value = grouped;
        findings.value = append ? [...findings.value, ...page.data] : page.data;
        nextCursor.value = page.next_cursor;
        findingsStatus.value = "ready";
      });
    } catch (cause) {
      if (mine !== generation) return;
      batch(() => {
        fail(cause, findingsError);
        findingsStatus.value = "error";
      });
    }
  }

  /** Forgets the checks with the run they belong to; a load still under way is dropped. */
  function resetChecks(): void {
    checksGeneration++;
    checks.value = [];
    checksStatus.value = "idle";
  }

  async function showRun(id: string | null): Promise<void> {
    const mine = ++generation;
    if (!id) {
      batch(() => {
        run.value = null;
        findings.value = [];
        nextCursor.value = null;
        resetChecks();
      });
      return;
    }
    const detail = await api.run(id);
    if (mine !== generation) return;
    // The run and its (not yet loaded) checks change together: until then the
    // previous run's checks stay consistent with the previous run shown.
    batch(() => {
      run.value = detail;
      resetChecks();
    });
    await loadFindings(false);
  }

  function follow(runId: string): void {
    stopWatch?.();
    stopWatch = context.watchRun(runId, (progress) => {
      batch(() => {
        // The stream reports the final status before it ends: the run stays
        // "running" for the page until the results below are loaded.
        if (FINISHED.has(progress.status)) loadingResults.value = true;
        live.value = progress;
      });
    }, () => {
      stopWatch = null;
      loadingResults.value = true;
      void (async () => {
        const ended = live.value;
        try {
          await loadRuns(runId);
          if (ended?.id === runId) {
            live.value = {
              ...ended,
              status: runs.value.find((r) => r.id === runId)?.status ?? ended.status,
            };
          }
        } catch (cause) {
          batch(() => {
            fail(cause);
            status.value = "error";
          });
        } finally {
          loadingResults.value = false;
        }
      })();
    });
  }

  async function loadRuns(preferredRun?: string | null): Promise<void> {
    const id = instanceId.value;
    if (!id) return;
    const page = await api.runs(id);
    runs.value = page.data;
    const active = page.data.find((r) => !FINISHED.has(r.status));
    if (active) {
      if (live.value?.id !== active.id) live.value = null;
      live.value ??= {
        id: active.id,
        status: active.status,
        checks_done: active.checks_done,
        checks_total: active.checks_total,
        progress: 0,
        message: "",
        error: null,
      };
      if (!stopWatch) follow(active.id);
    }
    const chosen = page.data.find((r) => r.id === preferredRun && r.status === "succeeded") ??
      page.data.find((r) => r.status === "succeeded") ?? null;
    await showRun(chosen?.id ?? null);
  }

  /** Runs again (the shown one stays): a run that became active is followed. */
  async function reloadRuns(): Promise<void> {
    try {
      await loadRuns(run.value?.id ?? null);
      if (status.value !== "error") status.value = "ready";
    } catch (cause) {
      fail(cause);
    }
  }

  function followActivity(id: string): void {
    activity?.stop();
    const watchJob = context.watchJob;
    activity = watchJob
      ? createActivityFollower({
        listActive: () => api.activeJobs(context.orgId, id),
        watchJob,
        onSync: (job) => {
          if (instanceId.value === id) sync.value = job;
        },
        onSyncEnd: () => {
          if (instanceId.value === id) void reloadRuns();
        },
        onRun: () => {
          if (instanceId.value === id && !stopWatch) void reloadRuns();
        },
        pollMs: context.activityPollMs ?? 20_000,
      })
      : null;
  }

  async function selectInstance(id: string, runId?: string | null): Promise<void> {
    stopWatch?.();
    stopWatch = null;
    batch(() => {
      instanceId.value = id;
      sync.value = null;
      live.value = null;
      loadingResults.value = false;
      runs.value = [];
      status.value = "loading";
      error.value = null;
    });
    try {
      await loadRuns(runId);
      status.value = "ready";
      followActivity(id);
    } catch (cause) {
      batch(() => {
        fail(cause);
        status.value = "error";
      });
    }
  }

  return {
    instances,
    instanceId,
    runs,
    run,
    status,
    error,
    live,
    running,
    sync,
    findings,
    groups,
    findingsStatus,
    findingsError,
    nextCursor,
    filters,
    checks,
    checksStatus,
    async load(preferred = {}) {
      status.value = "loading";
      error.value = null;
      try {
        const list = await api.instances(context.orgId);
        instances.value = list;
        const chosen = list.find((i) => i.id === preferred.instanceId) ?? list[0];
        if (!chosen) {
          status.value = "ready";
          return;
        }
        await selectInstance(chosen.id, preferred.runId);
      } catch (cause) {
        batch(() => {
          fail(cause);
          status.value = "error";
        });
      }
    },
    selectInstance: (id) => selectInstance(id),
    async selectRun(id) {
      try {
        await showRun(id);
      } catch (cause) {
        fail(cause);
      }
    },
    async start(scope) {
      const id = instanceId.value;
      if (!id) return;
      const { run: started } = await api.startRun(id, scope);
      live.value = {
        id: started.id,
        status: started.status,
        checks_done: 0,
        checks_total: started.checks_total,
        progress: 0,
        message: "Queued",
        error: null,
      };
      runs.value = [started, ...runs.value];
      follow(started.id);
    },
    async setFilters(patch) {
      if (Object.hasOwn(patch, "framework")) frameworkChosen = true;
      filters.value = { ...filters.value, ...patch };
      generation++;
      await loadFindings(false);
    },
    async applyDefaultFramework(frameworkId) {
      if (frameworkChosen || !frameworkId || filters.value.framework === frameworkId) return;
      filters.value = { ...filters.value, framework: frameworkId };
      // Before a run is shown, its first load reads the filters; after, reload.
      if (!run.value) return;
      generation++;
      await loadFindings(false);
    },
    async loadMore() {
      if (!nextCursor.value) return;
      await loadFindings(true);
    },
    async refresh() {
      const current = run.value;
      if (!current) return;
      try {
        const detail = await api.run(current.id);
        if (run.value?.id !== current.id) return;
        run.value = detail;
        generation++;
        await loadFindings(false);
        if (checksStatus.value === "ready") {
          const mine = ++checksGeneration;
          const list = await api.runChecks(current.id);
          if (mine === checksGeneration) checks.value = list;
        }
      } catch (cause) {
        fail(cause);
      }
    },
    async loadChecks() {
      const current = run.value;
      if (!current || current.status !== "succeeded") return;
      const mine = ++checksGeneration;
      checksStatus.value = "loading";
      try {
        const list = await api.runChecks(current.id);
        // Another run was shown meanwhile: its own load brings its checks.
        if (mine !== checksGeneration) return;
        batch(() => {
          checks.value = list;
          checksStatus.value = "ready";
        });
      } catch (cause) {
        if (mine !== checksGeneration) return;
        fail(cause);
        checksStatus.value = "error";
      }
    },
    dispose() {
      stopWatch?.();
      stopWatch = null;
      activity?.stop();
      activity = null;
    },
  };
}
