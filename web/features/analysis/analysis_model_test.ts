import assert from "node:assert/strict";
import { ApiError } from "../../lib/api_error.ts";
import type {
  AnalysisApi,
  FindingFilters,
  FindingItem,
  RunCheck,
  RunDetail,
  RunItem,
  RunProgress,
} from "./analysis_api.ts";
import { createAnalysisModel } from "./analysis_model.ts";
import type { RunWatcher } from "./run_watcher.ts";

function runItem(id: string, status: RunItem["status"]): RunItem {
  return {
    id,
    org_id: "o1",
    instance_id: "i1",
    status,
    trigger: "manual",
    scope: { type: "all" },
    catalog_version: "c-1",
    evaluated_at: "2026-06-01T00:00:00Z",
    checks_total: 10,
    checks_done: status === "succeeded" ? 10 : 0,
    previous_run_id: null,
    job_id: null,
    scores_at_completion: null,
    error: null,
    requested_by: null,
    created_at: "2026-06-01T00:00:00Z",
    started_at: null,
    finished_at: null,
  };
}

function finding(id: string): FindingItem {
  return { id, check_title: `Check ${id}` } as FindingItem;
}

/** A fake API: two runs, findings paged by two, and a recorded log of calls. */
function fakeApi(overrides: Partial<AnalysisApi> = {}) {
  const calls: string[] = [];
  let runs = [runItem("r2", "succeeded"), runItem("r1", "succeeded")];
  const all = ["f1", "f2", "f3", "f4", "f5"].map(finding);
  const api = {
    instances: () =>
      Promise.resolve([{ id: "i1", name: "Acme", status: "healthy", last_sync_at: null }]),
    runs: () => Promise.resolve({ data: runs, next_cursor: null }),
    run: (id: string) => {
      calls.push(`run ${id}`);
      return Promise.resolve(
        { ...runItem(id, "succeeded"), scores: {}, summary: {} } as unknown as RunDetail,
      );
    },
    findings: (
      target: { runId: string },
      filters: FindingFilters,
      page: { cursor?: string | null },
    ) => {
      calls.push(`findings ${target.runId} ${filters.severity.join(",")} ${page.cursor ?? "-"}`);
      const start = Number(page.cursor ?? 0);
      return Promise.resolve({
        run_id: target.runId,
        data: all.slice(start, start + 2),
        next_cursor: start + 2 < all.length ? String(start + 2) : null,
      });
    },
    findingGroups: (target: { runId: string }, filters: FindingFilters) => {
      calls.push(`groups ${target.runId} check=${filters.check_id || "-"}`);
      return Promise.resolve({
        run_id: target.runId,
        total: all.length,
        data: [{
          check_id: "c1",
          check_title: "Check c1",
          severity: "high",
          area: "identity",
          count: all.length,
          muted: 0,
        }],
      });
    },
    activeJobs: () => Promise.resolve([]),
    startRun: () => {
      const started = runItem("r3", "queued");
      runs = [started, ...runs];
      return Promise.resolve({ run: started });
    },
    ...overrides,
  } as unknown as AnalysisApi;
  return { api, calls, finish: () => (runs = [runItem("r3", "succeeded"), ...runs.slice(1)]) };
}

/** A watcher the test drives by hand. */
function manualWatcher() {
  let listener: { onProgress: (p: RunProgress) => void; onEnd: (s: string) => void } | null = null;
  const watch: RunWatcher = (_id, onProgress, onEnd) => {
    listener = { onProgress, onEnd };
    return () => (listener = null);
  };
  return {
    watch,
    get listener() {
      return listener;
    },
  };
}

Deno.test("analysis model: shows the latest succeeded run and pages its findings", async () => {
  const { api, calls } = fakeApi();
  const model = createAnalysisModel(api, {
    orgId: "o1",
    watchRun: manualWatcher().watch,
    pageSize: 2,
  });
  await model.load();
  assert.equal(model.instanceId.value, "i1");
  assert.equal(model.run.value?.id, "r2");
  assert.deepEqual(model.findings.value.map((f) => f.id), ["f1", "f2"]);
  await model.loadMore();
  await model.loadMore();
  assert.deepEqual(model.findings.value.map((f) => f.id), ["f1", "f2", "f3", "f4", "f5"]);
  assert.equal(model.nextCursor.value, null);
  await model.setFilters({ severity: ["high"] });
  assert.deepEqual(
    model.findings.value.map((f) => f.id),
    ["f1", "f2"],
    "a new filter starts from the first page",
  );
  assert.ok(calls.includes("findings r2 high -"));
  await model.selectRun("r1");
  assert.equal(model.run.value?.id, "r1");
});

Deno.test("analysis model: a started run is followed live and its results shown when it ends", async () => {
  const fake = fakeApi();
  const watcher = manualWatcher();
  const model = createAnalysisModel(fake.api, { orgId: "o1", watchRun: watcher.watch });
  await model.load();
  await model.start({ type: "all" });
  assert.equal(model.live.value?.id, "r3");
  watcher.listener!.onProgress({
    id: "r3",
    status: "running",
    checks_done: 4,
    checks_total: 10,
    progress: 0.4,
    message: "Evaluated …",
    error: null,
  });
  assert.equal(model.live.value?.checks_done, 4);
  fake.finish();
  watcher.listener!.onEnd("succeeded");
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(model.run.value?.id, "r3", "the finished run is shown");
});

Deno.test("analysis model: a refused request shows its message and reports lost access", async () => {
  let accessChanged = 0;
  const { api } = fakeApi({
    runs: () => Promise.reject(new ApiError(403, "You don't have permission to do that.")),
  });
  const model = createAnalysisModel(api, {
    orgId: "o1",
    watchRun: manualWatcher().watch,
    onAccessChanged: () => accessChanged++,
  });
  await model.load();
  assert.equal(model.status.value, "error");
  assert.equal(model.error.value, "You don't have permission to do that.");
  assert.equal(accessChanged, 1);
});

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

function check(id: string): RunCheck {
  return { check_id: id, title: `Check ${id}` } as RunCheck;
}

Deno.test("analysis model: a run that reports its end keeps running until its results are shown", async () => {
  const fake = fakeApi();
  const runsAnswer = deferred<void>();
  const api = {
    ...fake.api,
    runs: async (id: string) => {
      if (model.live.value?.status === "succeeded") await runsAnswer.promise;
      return await fake.api.runs(id);
    },
  } as AnalysisApi;
  const watcher = manualWatcher();
  const model = createAnalysisModel(api, { orgId: "o1", watchRun: watcher.watch });
  await model.load();
  await model.start({ type: "all" });
  assert.equal(model.running.value, true);
  fake.finish();
  // The stream's last progress carries the final status, then the stream ends.
  watcher.listener!.onProgress({
    id: "r3",
    status: "succeeded",
    checks_done: 10,
    checks_total: 10,
    progress: 1,
    message: "Done",
    error: null,
  });
  watcher.listener!.onEnd("succeeded");
  await settle();
  assert.equal(model.run.value?.id, "r2", "the new run's results are still loading");
  assert.equal(model.running.value, true, "so the run still counts as running");
  runsAnswer.resolve();
  await settle();
  assert.equal(model.run.value?.id, "r3");
  assert.equal(model.running.value, false);
  assert.equal(model.live.value?.status, "succeeded");
});

Deno.test("analysis model: checks of the previous run that arrive late do not replace the new run's", async () => {
  const fake = fakeApi();
  const answers = new Map<string, ReturnType<typeof deferred<RunCheck[]>>>();
  const api = {
    ...fake.api,
    runChecks: (runId: string) => {
      const answer = deferred<RunCheck[]>();
      answers.set(runId, answer);
      return answer.promise;
    },
  } as AnalysisApi;
  const watcher = manualWatcher();
  const model = createAnalysisModel(api, { orgId: "o1", watchRun: watcher.watch });
  await model.load();
  await model.start({ type: "all" });
  // The user opens the checks while the previous run (r2) is still shown.
  const previousChecks = model.loadChecks();
  fake.finish();
  watcher.listener!.onEnd("succeeded");
  await settle();
  assert.equal(model.run.value?.id, "r3");
  assert.equal(model.checksStatus.value, "idle", "the new run's checks are still to load");
  answers.get("r2")!.resolve([check("old")]);
  await previousChecks;
  assert.equal(model.checks.value.length, 0, "the previous run's checks are dropped");
  assert.equal(model.checksStatus.value, "idle");
  const newChecks = model.loadChecks();
  answers.get("r3")!.resolve([check("old"), check("custom")]);
  await newChecks;
  assert.deepEqual(model.checks.value.map((c) => c.check_id), ["old", "custom"]);
  assert.equal(model.checksStatus.value, "ready");
});

Deno.test("analysis model: findings open filtered to the default framework until the user picks one", async (t) => {
  const frameworks: string[] = [];
  const { api } = fakeApi({
    findings: (_target: { runId: string }, filters: FindingFilters) => {
      frameworks.push(filters.framework);
      return Promise.resolve({ run_id: "r2", data: [finding("f1")], next_cursor: null });
    },
  } as Partial<AnalysisApi>);

  await t.step("a default known before the run loads is used by its first load", async () => {
    const model = createAnalysisModel(api, { orgId: "o1", watchRun: manualWatcher().watch });
    await model.applyDefaultFramework("sox_itgc");
    assert.deepEqual(frameworks, [], "nothing is loaded before a run is shown");
    await model.load();
    assert.equal(model.filters.value.framework, "sox_itgc");
    assert.deepEqual(frameworks, ["sox_itgc"]);
  });

  await t.step("a default that arrives after the run reloads the findings", async () => {
    frameworks.length = 0;
    const model = createAnalysisModel(api, { orgId: "o1", watchRun: manualWatcher().watch });
    await model.load();
    await model.applyDefaultFramework("soc2_2017");
    assert.deepEqual(frameworks, ["", "soc2_2017"]);
    // Other filters keep the framework.
    await model.setFilters({ severity: ["high"] });
    assert.equal(model.filters.value.framework, "soc2_2017");
  });

  await t.step("the user's choice, even all frameworks, is never replaced", async () => {
    frameworks.length = 0;
    const model = createAnalysisModel(api, { orgId: "o1", watchRun: manualWatcher().watch });
    await model.load();
    await model.setFilters({ framework: "" });
    await model.applyDefaultFramework("sox_itgc");
    assert.equal(model.filters.value.framework, "");
    assert.deepEqual(frameworks, ["", ""]);
  });

  await t.step("no default leaves every framework", async () => {
    const model = createAnalysisModel(api, { orgId: "o1", watchRun: manualWatcher().watch });
    await model.applyDefaultFramework(null);
    await model.load();
    assert.equal(model.filters.value.framework, "");
  });
});

Deno.test("analysis model: groups by check count every check the other filters match", async () => {
  const { api, calls } = fakeApi();
  const model = createAnalysisModel(api, { orgId: "o1", watchRun: manualWatcher().watch });
  await model.load();
  assert.equal(model.groups.value?.total, 5);
  await model.setFilters({ check_id: "c1" });
  assert.ok(calls.includes("groups r2 check=-"), "the picked check does not narrow the groups");
  assert.ok(!calls.some((c) => c.startsWith("groups") && c.includes("check=c1")));
  assert.equal(model.groups.value?.data.length, 1);
});

Deno.test("analysis model: a sync in progress is shown, and when it ends the run after it is followed to its results", async () => {
  const fake = fakeApi();
  let runs = [runItem("r2", "succeeded")];
  let jobs = [{
    id: "j1",
    kind: "servicenow.sync",
    subject: "i1",
    status: "running" as const,
    progress: 0.3,
    progress_message: "Reading sys_user",
    error: null,
  }];
  const api = {
    ...fake.api,
    runs: () => Promise.resolve({ data: runs, next_cursor: null }),
    activeJobs: () => Promise.resolve(jobs),
  } as AnalysisApi;
  let jobListener: { onProgress: (j: typeof jobs[number]) => void; onEnd: () => void } | null =
    null;
  const runWatcher = manualWatcher();
  const model = createAnalysisModel(api, {
    orgId: "o1",
    watchRun: runWatcher.watch,
    watchJob: (_id, onProgress, onEnd) => {
      jobListener = { onProgress, onEnd };
      return () => (jobListener = null);
    },
    activityPollMs: 0,
  });
  await model.load();
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(model.sync.value?.progress_message, "Reading sys_user");
  jobListener!.onProgress({ ...jobs[0]!, progress: 0.8, progress_message: "Reading sys_audit" });
  assert.equal(model.sync.value?.progress, 0.8);

  // The sync ends; the analysis it queued is running.
  runs = [runItem("r3", "running"), ...runs];
  jobs = [];
  jobListener!.onEnd();
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(model.sync.value, null);
  assert.equal(model.live.value?.id, "r3");
  assert.equal(model.running.value, true);
  assert.equal(model.run.value?.id, "r2", "the previous results stay until the new ones are in");

  runs = [runItem("r3", "succeeded"), runItem("r2", "succeeded")];
  runWatcher.listener!.onEnd("succeeded");
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(model.run.value?.id, "r3");
  assert.equal(model.running.value, false);
  model.dispose();
});
