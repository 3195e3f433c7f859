import type { JSX } from "preact";
import { Download, FileStack, Share2 } from "lucide";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { type Column, Table } from "../../components/table.tsx";
import { formatDateTime } from "../analysis/ui.tsx";
import { FileStatus, FORMAT_LABELS, formatBytes } from "./file_status.tsx";
import type { ExportFile } from "./reports_api.ts";

/** Props of {@linkcode FilesList}. */
export interface FilesListProps {
  files: readonly ExportFile[];
  loading: boolean;
  /** Admins and owners share files with people outside the organization. */
  canShare: boolean;
  onDownload: (file: ExportFile) => void;
  onShare: (file: ExportFile) => void;
}

/** Files generated for the organization, newest first: status, size, expiry, download, links. */
export function FilesList(props: FilesListProps): JSX.Element {
  const expired = (f: ExportFile) => new Date(f.expires_at).getTime() <= Date.now();
  // Below the sm breakpoint the other columns fold into the first: no sideways scrolling.
  const wide = "hidden sm:table-cell";
  function fileActions(f: ExportFile): JSX.Element | null {
    if (f.status !== "succeeded" || expired(f)) return null;
    return (
      <div class="flex flex-wrap gap-1 sm:justify-end">
        <Button
          size="sm"
          variant="secondary"
          icon={Download}
          aria-label={`Download ${f.filename ?? f.title}`}
          onClick={() => props.onDownload(f)}
        >
          Download
        </Button>
        {props.canShare && (
          <Button
            size="sm"
            variant="ghost"
            icon={Share2}
            aria-label={`Share ${f.filename ?? f.title}`}
            onClick={() => props.onShare(f)}
          >
            Share
          </Button>
        )}
      </div>
    );
  }
  const columns: Column<ExportFile>[] = [
    {
      id: "file",
      header: "File",
      cell: (f) => (
        <div class="min-w-0 max-w-xs">
          <p class="break-words font-medium text-fg">{f.title}</p>
          <p class="text-xs text-fg-muted">
            {FORMAT_LABELS[f.format]} · {f.trigger === "schedule" ? "scheduled" : "on request"} ·
            {" "}
            {formatDateTime(f.created_at)}
          </p>
          <div class="mt-2 space-y-2 sm:hidden">
            <FileStatus file={f} />
            <p class="text-xs text-fg-muted">
              {formatBytes(f.byte_size)} ·{" "}
              {expired(f) ? "expired" : `kept until ${formatDateTime(f.expires_at)}`}
            </p>
            {fileActions(f)}
          </div>
        </div>
      ),
    },
    { id: "status", header: "Status", class: wide, cell: (f) => <FileStatus file={f} /> },
    {
      id: "size",
      header: "Size",
      align: "right",
      class: wide,
      cell: (f) => formatBytes(f.byte_size),
    },
    {
      id: "expires",
      header: "Kept until",
      class: wide,
      cell: (f) => (expired(f) ? "Expired" : formatDateTime(f.expires_at)),
    },
    {
      id: "actions",
      header: "Actions",
      hideHeader: true,
      class: "hidden sm:table-cell",
      cell: (f) => fileActions(f),
    },
  ];
  return (
    <Card
      title="Generated files"
      description="Files are kept for a retention period, then deleted. Every download is recorded."
      flush
    >
      <Table
        caption="Generated files"
        columns={columns}
        rows={props.files}
        rowKey={(f) => f.id}
        loading={props.loading}
        empty={{
          icon: FileStack,
          title: "No files yet",
          description: "Generate a report, or export findings from the Analysis page.",
        }}
      />
    </Card>
  );
}
