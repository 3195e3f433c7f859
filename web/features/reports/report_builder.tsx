import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Download, Play, Save } from "lucide";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import type { AnalysisApi, Framework, InstanceSummary, RunItem } from "../analysis/analysis_api.ts";
import { ContentFields, ScopeFields } from "./builder_fields.tsx";
import { type Draft, draftProblem, specOf } from "./builder_state.ts";
import { FileStatus, FORMAT_LABELS } from "./file_status.tsx";
import { ReportPreview, usePreview } from "./report_preview.tsx";
import type { ExportFile, ReportsApi } from "./reports_api.ts";

/** Props of {@linkcode ReportBuilder}. */
export interface ReportBuilderProps {
  orgId: string;
  draft: Draft;
  onChange: (patch: Partial<Draft>) => void;
  reports: ReportsApi;
  analysis: Pick<AnalysisApi, "runs">;
  instances: readonly InstanceSummary[];
  frameworks: readonly Framework[];
  /** Analysts and above save and generate. */
  canGenerate: boolean;
  onSave: () => Promise<void>;
  onGenerate: () => Promise<void>;
  onNew: () => void;
  onDownload: (file: ExportFile) => void;
  /** The file last generated from the builder, while and after it is made. */
  file: ExportFile | null;
}

/** Build or edit a report: scope, sections, format, a live preview, save and generate. */
export function ReportBuilder(props: ReportBuilderProps): JSX.Element {
  const { draft } = props;
  const [runs, setRuns] = useState<RunItem[]>([]);
  const [busy, setBusy] = useState<"save" | "generate" | null>(null);
  const [tried, setTried] = useState(false);
  useEffect(() => {
    setRuns([]);
    if (!draft.instanceId) return;
    props.analysis.runs(draft.instanceId).then((page) => setRuns(page.data), () => {});
  }, [draft.instanceId]);

  const problem = draftProblem(draft, false);
  const saveProblem = draftProblem(draft, true);
  const spec = problem ? null : specOf(draft, props.orgId);
  const preview = usePreview(props.reports, spec);

  async function act(kind: "save" | "generate", run: () => Promise<void>): Promise<void> {
    setTried(true);
    if (kind === "save" ? saveProblem : problem) return;
    setBusy(kind);
    try {
      await run();
    } finally {
      setBusy(null);
    }
  }

  const file = props.file;
  return (
    <Card
      id="report-builder"
      title={draft.id ? `Edit “${draft.name}”` : "Build a report"}
      description="Choose what the report covers and contains; the preview follows your choices."
      actions={draft.id && (
        <Button variant="ghost" size="sm" onClick={props.onNew}>New report</Button>
      )}
    >
      <div class="grid min-w-0 gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <div class="min-w-0 space-y-6">
          <ScopeFields
            draft={draft}
            onChange={props.onChange}
            instances={props.instances}
            runs={runs}
            frameworks={props.frameworks}
          />
          <ContentFields draft={draft} onChange={props.onChange} />
          {tried && problem && (
            <p role="alert" class="text-sm text-red-700 dark:text-red-300">{problem}</p>
          )}
          {props.canGenerate
            ? (
              <div class="flex flex-wrap items-center gap-2">
                <Button
                  icon={Play}
                  loading={busy === "generate"}
                  onClick={() => void act("generate", props.onGenerate)}
                >
                  Generate now
                </Button>
                <Button
                  variant="secondary"
                  icon={Save}
                  loading={busy === "save"}
                  onClick={() => void act("save", props.onSave)}
                >
                  {draft.id ? "Save changes" : "Save report"}
                </Button>
                {tried && !problem && saveProblem && (
                  <p role="alert" class="text-sm text-red-700 dark:text-red-300">{saveProblem}</p>
                )}
              </div>
            )
            : (
              <p class="text-sm text-fg-muted">
                An analyst, admin or owner can save and generate reports.
              </p>
            )}
          {file && (
            <div
              class="flex flex-wrap items-center gap-3 rounded-md border border-line p-3"
              aria-live="polite"
              data-testid="builder-file"
            >
              <span class="text-sm font-medium text-fg">
                {file.title} ({FORMAT_LABELS[file.format]})
              </span>
              <div class="w-48 max-w-full">
                <FileStatus file={file} />
              </div>
              {file.status === "succeeded" && (
                <Button
                  size="sm"
                  icon={Download}
                  onClick={() => props.onDownload(file)}
                >
                  Download {FORMAT_LABELS[file.format]}
                </Button>
              )}
            </div>
          )}
        </div>
        <ReportPreview {...preview} />
      </div>
    </Card>
  );
}
