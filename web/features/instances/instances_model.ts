import { batch, computed, type ReadonlySignal, signal } from "@preact/signals";
import { ApiError, errorMessage } from "../../lib/api_error.ts";
import type {
  HealthReport,
  Instance,
  InstanceCredentials,
  InstancesApi,
  JobProgress,
  Schedule,
} from "./instances_api.ts";

/** Follows a job's progress; returns a function that stops following. */
export type JobWatcher = (
  jobId: string,
  onProgress: (job: JobProgress) => void,
  onEnd: () => void,
) => () => void;

/** The organization's instances and what can be done with them. */
export interface InstancesModel {
  instances: ReadonlySignal<Instance[]>;
  status: ReadonlySignal<"loading" | "ready" | "error">;
  error: ReadonlySignal<string | null>;
  /** Live progress of running syncs, by instance id. */
  progress: ReadonlySignal<ReadonlyMap<string, JobProgress>>;
  /** Instance ids with a request in flight. */
  pending: ReadonlySignal<ReadonlySet<string>>;
  load(): Promise<void>;
  add(input: { name: string; url: string; credentials: InstanceCredentials }): Promise<Instance>;
  update(
    id: string,
    patch: { name?: string; url?: string; credentials?: InstanceCredentials },
  ): Promise<Instance>;
  remove(id: string): Promise<void>;
  testNew(url: string, credentials: InstanceCredentials): Promise<HealthReport>;
  testSaved(
    id: string,
    overrides?: { url?: string; credentials?: InstanceCredentials },
  ): Promise<HealthReport>;
  syncNow(id: string, mode: "incremental" | "full"): Promise<void>;
  setSchedule(id: string, schedule: Schedule | null): Promise<Instance>;
  /** Stops every progress stream. */
  dispose(): void;
}

/**
 * Creates the instances model for one organization.
 *
 * @param api the instances endpoints
 * @param context the organization, how to follow job progress, and what to do on a 403
 */
export function createInstancesModel(
  api: InstancesApi,
  context: { orgId: string; watchJob: JobWatcher; onAccessChanged?: () => void },
): InstancesModel {
  const instances = signal<Instance[]>([]);
  const status = signal<"loading" | "ready" | "error">("loading");
  const error = signal<string | null>(null);
  const progress = signal<ReadonlyMap<string, JobProgress>>(new Map());
  const pending = signal<ReadonlySet<string>>(new Set());
  const watchers = new Map<string, () => void>();

  const replace = (instance: Instance) => {
    const list = instances.value;
    instances.value = list.some((i) => i.id === instance.id)
      ? list.map((i) => (i.id === instance.id ? instance : i))
      : [...list, instance].sort((a, b) => a.name.localeCompare(b.name));
    follow(instance);
  };

  function follow(instance: Instance): void {
    const jobId = instance.active_sync?.job_id;
    if (!jobId || watchers.has(instance.id)) return;
    const stop = context.watchJob(
      jobId,
      (job) => {
        const next = new Map(progress.value);
        next.set(instance.id, job);
        progress.value = next;
      },
      () => {
        watchers.get(instance.id)?.();
        watchers.delete(instance.id);
        void api.get(instance.id).then((fresh) => {
          batch(() => {
            const next = new Map(progress.value);
            next.delete(instance.id);
            progress.value = next;
            replace(fresh);
          });
        }, () => {});
      },
    );
    watchers.set(instance.id, stop);
  }

  async function track<T>(id: string, work: () => Promise<T>): Promise<T> {
    pending.value = new Set([...pending.value, id]);
    try {
      return await work();
    } catch (cause) {
      if (cause instanceof ApiError && cause.status === 403) context.onAccessChanged?.();
      throw cause;
    } finally {
      const next = new Set(pending.value);
      next.delete(id);
      pending.value = next;
    }
  }

  return {
    instances,
    status,
    error,
    progress,
    pending,
    async load() {
      status.value = instances.value.length ? "ready" : "loading";
      error.value = null;
      try {
        const list = await api.list(context.orgId);
        batch(() => {
          instances.value = list;
          status.value = "ready";
        });
        for (const instance of list) follow(instance);
      } catch (cause) {
        batch(() => {
          error.value = errorMessage(cause);
          status.value = "error";
        });
      }
    },
    async add(input) {
      const instance = await track("new", () => api.create({ org_id: context.orgId, ...input }));
      replace(instance);
      return instance;
    },
    async update(id, patch) {
      const instance = await track(id, () => api.update(id, patch));
      replace(instance);
      return instance;
    },
    async remove(id) {
      await track(id, () => api.remove(id));
      watchers.get(id)?.();
      watchers.delete(id);
      instances.value = instances.value.filter((i) => i.id !== id);
    },
    testNew: (url, credentials) =>
      track("new", () => api.testNew({ org_id: context.orgId, url, credentials })),
    async testSaved(id, overrides) {
      const report = await track(id, () => api.testSaved(id, overrides));
      if (!overrides) replace(await api.get(id));
      return report;
    },
    async syncNow(id, mode) {
      try {
        await track(id, () => api.sync(id, mode));
      } finally {
        // Also after a 409 (a sync already runs): show and follow that one.
        replace(await api.get(id));
      }
    },
    async setSchedule(id, schedule) {
      const instance = await track(id, () => api.setSchedule(id, schedule));
      replace(instance);
      return instance;
    },
    dispose() {
      for (const stop of watchers.values()) stop();
      watchers.clear();
    },
  };
}

/** Instances with a sync queued or running. */
export function activeCount(model: InstancesModel): ReadonlySignal<number> {
  return computed(() => model.instances.value.filter((i) => i.active_sync).length);
}

/**
 * Follows a job through the tasks function's Server-Sent Events (the token in
 * the query string, as EventSource cannot send headers), falling back to
 * polling when the stream fails.
 *
 * @param options functions base URL, token source and the polling fallback
 */
export function createJobWatcher(options: {
  functionsUrl: string;
  accessToken: () => Promise<string | null>;
  poll: (jobId: string) => Promise<JobProgress>;
}): JobWatcher {
  return (jobId, onProgress, onEnd) => {
    let stopped = false;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const finish = () => {
      if (stopped) return;
      stopped = true;
      source?.close();
      if (timer) clearTimeout(timer);
      onEnd();
    };
    const poll = async () => {
      if (stopped) return;
      try {
        const job = await options.poll(jobId);
        onProgress(job);
        if (!["queued", "running"].includes(job.status)) return finish();
      } catch {
        // Keep trying: a transient error should not freeze the bar.
      }
      timer = setTimeout(poll, 1500);
    };
    void options.accessToken().then((token) => {
      if (stopped) return;
      if (!token || typeof EventSource === "undefined") return void poll();
      const url = new URL(
        `${options.functionsUrl.replace(/\/$/, "")}/tasks/jobs/${encodeURIComponent(jobId)}/events`,
      );
      url.searchParams.set("access_token", token);
      source = new EventSource(url.href);
      source.addEventListener("job", (event) => {
        onProgress(JSON.parse((event as MessageEvent).data) as JobProgress);
      });
      source.addEventListener("end", finish);
      source.addEventListener("error", () => {
        // The stream failed or ended without "end": switch to polling.
        source?.close();
        source = null;
        if (!stopped && !timer) void poll();
      });
    });
    return () => {
      stopped = true;
      source?.close();
      if (timer) clearTimeout(timer);
    };
  };
}
