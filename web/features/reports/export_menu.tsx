import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Download, FileDown } from "lucide";
import { Button } from "../../components/button.tsx";
import { Icon } from "../../components/icon.tsx";
import { Menu } from "../../components/menu.tsx";
import { useApp } from "../../app/services.ts";
import { errorMessage } from "../../lib/api_error.ts";
import { FileStatus, FORMAT_LABELS } from "./file_status.tsx";
import { inProgress, useExportTracker, useReportsApi } from "./export_tracker.ts";
import {
  downloadFile,
  type ExportFile,
  type ExportFormat,
  type ReportSpec,
} from "./reports_api.ts";

/** Props of {@linkcode ExportMenu}. */
export interface ExportMenuProps {
  /** What to export, read when a format is chosen (the filters as they are then). */
  spec: () => ReportSpec;
  /** What the trigger says, e.g. "Export findings". */
  label: string;
  formats?: readonly ExportFormat[];
}

/**
 * "Export" on a list or a view: generates what is shown as a file through the
 * reports task (progress from the jobs stream), then offers its download. The
 * file also appears on the Reports page.
 */
export function ExportMenu(props: ExportMenuProps): JSX.Element {
  const { toasts } = useApp();
  const reports = useReportsApi();
  const [fileId, setFileId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { files, track } = useExportTracker(reports, (done) => {
    if (done.status === "failed") setError(done.error ?? "The file could not be generated.");
  });
  const file: ExportFile | undefined = fileId ? files.get(fileId) : undefined;

  async function start(format: ExportFormat): Promise<void> {
    setError(null);
    try {
      const queued = await reports.startExport({ spec: props.spec(), format });
      setFileId(queued.id);
      track(queued);
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }

  async function download(ready: ExportFile): Promise<void> {
    try {
      await downloadFile(reports, ready);
    } catch (cause) {
      toasts.error("The download could not start", errorMessage(cause));
    }
  }

  return (
    <div class="flex min-w-0 flex-wrap items-center gap-2">
      <Menu
        trigger={
          <span class="inline-flex items-center gap-1.5">
            <Icon icon={FileDown} class="size-4" />
            {props.label}
          </span>
        }
        triggerClass="inline-flex h-9 items-center rounded-md border border-line bg-surface px-3 text-sm font-medium text-fg hover:bg-surface-muted"
        align="right"
        groups={[{
          heading: "Generate a file of what is shown",
          items: (props.formats ?? ["csv", "xlsx", "pdf"]).map((format) => ({
            id: format,
            label: FORMAT_LABELS[format],
            onSelect: () => void start(format),
          })),
        }]}
      />
      {file && inProgress(file) && (
        <div class="w-40" aria-live="polite">
          <FileStatus file={file} />
        </div>
      )}
      {file?.status === "succeeded" && (
        <Button
          size="sm"
          icon={Download}
          onClick={() => void download(file)}
        >
          Download {FORMAT_LABELS[file.format]}
        </Button>
      )}
      {error && (
        <p role="alert" class="text-sm text-red-700 dark:text-red-300">
          Export failed: {error}
        </p>
      )}
    </div>
  );
}
