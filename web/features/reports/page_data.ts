/**
 * What the Reports page shows: saved reports, generated files (with the ones
 * being made followed live), instances and frameworks for the builder.
 *
 * @module
 */
import { useEffect, useMemo, useState } from "preact/hooks";
import { useApp } from "../../app/services.ts";
import { errorMessage } from "../../lib/api_error.ts";
import {
  type AnalysisApi,
  createAnalysisApi,
  type Framework,
  type InstanceSummary,
} from "../analysis/analysis_api.ts";
import { inProgress, useExportTracker, useReportsApi } from "./export_tracker.ts";
import type { Definition, ExportFile, ReportsApi } from "./reports_api.ts";

/** The page's data and how to refresh it. */
export interface ReportsData {
  reports: ReportsApi;
  analysis: AnalysisApi;
  /** Null until loaded. */
  definitions: Definition[] | null;
  setDefinitions: (update: (list: Definition[] | null) => Definition[]) => void;
  /** Newest first, the ones being made with their live progress; null until loaded. */
  files: ExportFile[] | null;
  instances: InstanceSummary[] | null;
  frameworks: Framework[];
  error: string | null;
  reload: () => void;
  /** Follows a file just queued. */
  track: (file: ExportFile) => void;
  /** The files being followed, by id. */
  tracked: ReadonlyMap<string, ExportFile>;
}

/** Loads the page's data and follows the files being made. */
export function useReportsData(orgId: string): ReportsData {
  const { api, toasts } = useApp();
  const reports = useReportsApi();
  const analysis = useMemo(() => createAnalysisApi(api), [api]);
  const [definitions, setDefinitions] = useState<Definition[] | null>(null);
  const [listed, setListed] = useState<ExportFile[] | null>(null);
  const [instances, setInstances] = useState<InstanceSummary[] | null>(null);
  const [frameworks, setFrameworks] = useState<Framework[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  const tracker = useExportTracker(reports, (file) => {
    if (file.status === "succeeded") toasts.success(`${file.title} is ready`);
    else toasts.error(`${file.title} could not be generated`, file.error ?? undefined);
    setVersion((v) => v + 1);
  });

  useEffect(() => {
    const abort = new AbortController();
    Promise.all([
      reports.definitions(orgId, abort.signal),
      reports.exports(orgId, abort.signal),
      analysis.instances(orgId),
      analysis.frameworks(),
    ]).then(([d, e, i, f]) => {
      if (abort.signal.aborted) return;
      setDefinitions(d);
      setListed(e);
      setInstances(i);
      setFrameworks(f);
      setError(null);
      // Files still being made when the page opened: follow them too.
      for (const file of e) if (inProgress(file)) tracker.track(file);
    }, (cause) => !abort.signal.aborted && setError(errorMessage(cause)));
    return () => abort.abort();
  }, [orgId, version]);

  // The list as loaded, with the live state of the files being followed.
  const files = useMemo(() => {
    if (!listed) return null;
    const known = new Set(listed.map((f) => f.id));
    const fresh = [...tracker.files.values()].filter((f) => !known.has(f.id)).reverse();
    return [...fresh, ...listed.map((f) => tracker.files.get(f.id) ?? f)];
  }, [listed, tracker.files]);

  return {
    reports,
    analysis,
    definitions,
    setDefinitions,
    files,
    instances,
    frameworks,
    error,
    reload: () => setVersion((v) => v + 1),
    track: tracker.track,
    tracked: tracker.files,
  };
}
