import type { JSX } from "preact";
import { Badge, type BadgeTone } from "../../components/badge.tsx";
import { ProgressBar } from "../../components/progress_bar.tsx";
import type { ExportFile, ExportFormat } from "./reports_api.ts";

/** Formats as people name them. */
export const FORMAT_LABELS: Record<ExportFormat, string> = {
  pdf: "PDF",
  xlsx: "Excel",
  csv: "CSV",
  json: "JSON",
  pack: "Evidence pack",
};

const STATUS: Record<ExportFile["status"], { label: string; tone: BadgeTone }> = {
  queued: { label: "Queued", tone: "neutral" },
  running: { label: "Generating", tone: "info" },
  succeeded: { label: "Ready", tone: "success" },
  failed: { label: "Failed", tone: "danger" },
  cancelled: { label: "Cancelled", tone: "neutral" },
};

/** A byte count for people: "840 B", "12.4 KB", "3.1 MB". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return "—";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The status of a generated file: a badge, and a progress bar while it is made. */
export function FileStatus({ file }: { file: ExportFile }): JSX.Element {
  const status = STATUS[file.status];
  const making = file.status === "queued" || file.status === "running";
  return (
    <div class="min-w-0 space-y-1">
      <Badge tone={status.tone}>{status.label}</Badge>
      {making && (
        <ProgressBar
          label={`Generating ${file.title} (${FORMAT_LABELS[file.format]})`}
          hideLabel
          value={Math.round(file.progress * 100)}
          max={100}
          valueText={`${Math.round(file.progress * 100)}%${
            file.progress_message ? `, ${file.progress_message}` : ""
          }`}
        />
      )}
      {file.status === "failed" && file.error && (
        <p class="text-xs text-red-700 dark:text-red-300">{file.error}</p>
      )}
    </div>
  );
}
