/**
 * Follows generated files while they are made: each one's job over the jobs
 * stream (Server-Sent Events, polling when the stream fails), then the file
 * itself once the job ends (its size, name and status are recorded then).
 *
 * @module
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { useApp } from "../../app/services.ts";
import { typedClient } from "../../lib/typed_client.ts";
import { createJobWatcher, type JobWatcher } from "../instances/instances_model.ts";
import { createReportsApi, type ExportFile, type ReportsApi } from "./reports_api.ts";

/** Whether a file is still being made. */
export function inProgress(file: Pick<ExportFile, "status">): boolean {
  return file.status === "queued" || file.status === "running";
}

/**
 * Follows one file until it is made; returns a function that stops following.
 *
 * @param api the reports endpoints (the file is read again when its job ends)
 * @param watchJob follows a job's progress
 * @param file the file as queued
 * @param onUpdate every change: progress while its job runs, the finished file at the end
 */
export function followExport(
  api: Pick<ReportsApi, "exportFile">,
  watchJob: JobWatcher,
  file: ExportFile,
  onUpdate: (file: ExportFile) => void,
): () => void {
  let current = file;
  let stopped = false;
  const reload = async () => {
    if (stopped) return;
    try {
      current = await api.exportFile(file.id);
    } catch {
      // The job ended; reading the file failed once: keep what we know, the list reload fixes it.
    }
    if (!stopped) onUpdate(current);
  };
  if (!file.job_id || !inProgress(file)) return () => {};
  const stop = watchJob(file.job_id, (job) => {
    if (stopped) return;
    const status = job.status === "queued" || job.status === "running" ? job.status : "running";
    current = {
      ...current,
      status,
      progress: job.progress,
      progress_message: job.progress_message ?? current.progress_message,
    };
    onUpdate(current);
  }, () => void reload());
  return () => {
    stopped = true;
    stop();
  };
}

/** A job watcher over the app's jobs stream. */
export function useJobWatcher(): JobWatcher {
  const { api, config, session } = useApp();
  return useMemo(() =>
    createJobWatcher({
      functionsUrl: config.functionsUrl,
      accessToken: () => session.accessToken(),
      poll: (id) =>
        typedClient(api)("GET /tasks/jobs/:jobId", { params: { jobId: id } }).then((r) => r.data),
    }), [api]);
}

/**
 * The files being followed, by id, and `track` to follow one more. Following
 * stops when the component unmounts.
 *
 * @param api the reports endpoints
 * @param onDone called once per file that finished (succeeded or failed)
 */
export function useExportTracker(
  api: ReportsApi,
  onDone?: (file: ExportFile) => void,
): { files: ReadonlyMap<string, ExportFile>; track: (file: ExportFile) => void } {
  const watchJob = useJobWatcher();
  const [files, setFiles] = useState<ReadonlyMap<string, ExportFile>>(new Map());
  const stops = useRef(new Map<string, () => void>());
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => () => {
    for (const stop of stops.current.values()) stop();
    stops.current.clear();
  }, []);
  const track = (file: ExportFile) => {
    if (stops.current.has(file.id)) return;
    setFiles((prev) => new Map(prev).set(file.id, file));
    stops.current.set(
      file.id,
      followExport(api, watchJob, file, (next) => {
        setFiles((prev) => new Map(prev).set(next.id, next));
        if (!inProgress(next)) {
          stops.current.get(next.id)?.();
          done.current?.(next);
        }
      }),
    );
  };
  return { files, track };
}

/** The reports endpoints on the app's API client. */
export function useReportsApi(): ReportsApi {
  const { api, config } = useApp();
  return useMemo(() => createReportsApi(api, config.functionsUrl), [api]);
}
