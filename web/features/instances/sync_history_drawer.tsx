import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Drawer } from "../../components/drawer.tsx";
import { Skeleton } from "../../components/loader.tsx";
import { type Column, Table } from "../../components/table.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { formatDate } from "../../lib/format.ts";
import type {
  Instance,
  InstancesApi,
  SyncRun,
  SyncRunDetail,
  SyncTableResult,
} from "./instances_api.ts";
import { formatCount, formatDuration, RUN_STATUS } from "./instance_rules.ts";

const TABLE_STATUS: Record<
  SyncTableResult["status"],
  { label: string; tone: "success" | "danger" | "warning" | "neutral" | "info" }
> = {
  succeeded: { label: "Synced", tone: "success" },
  not_readable: { label: "Not readable", tone: "danger" },
  not_found: { label: "Not on this instance", tone: "neutral" },
  failed: { label: "Failed", tone: "warning" },
  running: { label: "Running", tone: "info" },
  pending: { label: "Pending", tone: "neutral" },
};

/** Props of {@linkcode SyncHistoryDrawer}. */
export interface SyncHistoryDrawerProps {
  instance: Instance | null;
  api: InstancesApi;
  onClose: () => void;
}

/** The syncs of an instance, newest first, and each one's per-table figures. */
export function SyncHistoryDrawer(props: SyncHistoryDrawerProps): JSX.Element {
  const instance = props.instance;
  const [runs, setRuns] = useState<SyncRun[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [detail, setDetail] = useState<SyncRunDetail | null>(null);

  useEffect(() => {
    setRuns(null);
    setDetail(null);
    setError(null);
    if (!instance) return;
    props.api.history(instance.id).then((page) => {
      setRuns(page.data);
      setCursor(page.next_cursor);
    }, (cause) => setError(errorMessage(cause)));
  }, [instance?.id]);

  async function more(): Promise<void> {
    if (!instance || !cursor) return;
    try {
      const page = await props.api.history(instance.id, cursor);
      setRuns((r) => [...(r ?? []), ...page.data]);
      setCursor(page.next_cursor);
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }

  async function open(run: SyncRun): Promise<void> {
    if (!instance) return;
    try {
      setDetail(await props.api.run(instance.id, run.id));
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }

  const runColumns: Column<SyncRun>[] = [
    {
      id: "started",
      header: "Started",
      cell: (r) => (
        <button
          type="button"
          class="text-left font-medium text-accent underline-offset-2 hover:underline"
          onClick={() => void open(r)}
          aria-label={`Details of the sync of ${formatDate(r.created_at)}`}
        >
          {formatDate(r.started_at ?? r.created_at)}
        </button>
      ),
    },
    {
      id: "mode",
      header: "Mode",
      cell: (r) => (
        <span class="text-fg-muted">
          {r.mode}
          {r.trigger === "schedule" ? ", scheduled" : ""}
        </span>
      ),
    },
    {
      id: "status",
      header: "Outcome",
      cell: (r) => <Badge tone={RUN_STATUS[r.status].tone}>{RUN_STATUS[r.status].label}</Badge>,
    },
    {
      id: "records",
      header: "Read / written / deleted",
      align: "right",
      cell: (r) => (
        <span class="tabular-nums">
          {formatCount(r.records_fetched)} / {formatCount(r.records_upserted)} /{" "}
          {formatCount(r.records_deleted)}
          {r.records_expired > 0 && (
            <span class="block text-xs text-fg-muted">
              {formatCount(r.records_expired)} aged out
            </span>
          )}
        </span>
      ),
    },
    {
      id: "duration",
      header: "Duration",
      align: "right",
      cell: (r) => <span class="tabular-nums">{formatDuration(r.duration_ms)}</span>,
    },
  ];

  // One line per table, so wider than the drawer: the table scrolls sideways
  // inside a region that takes keyboard focus (the Table does this).
  const tableColumns: Column<SyncTableResult>[] = ([
    { id: "table", header: "Table", cell: (t) => <code class="text-xs">{t.table_name}</code> },
    {
      id: "status",
      header: "Outcome",
      cell: (t) => (
        <span title={t.error ?? undefined}>
          <Badge tone={TABLE_STATUS[t.status].tone}>{TABLE_STATUS[t.status].label}</Badge>
        </span>
      ),
    },
    {
      id: "fetched",
      header: "Read",
      align: "right",
      cell: (t) => <span class="tabular-nums">{formatCount(t.records_fetched)}</span>,
    },
    {
      id: "upserted",
      header: "Written",
      align: "right",
      cell: (t) => <span class="tabular-nums">{formatCount(t.records_upserted)}</span>,
    },
    {
      id: "deleted",
      header: "Deleted",
      align: "right",
      cell: (t) => <span class="tabular-nums">{formatCount(t.records_deleted)}</span>,
    },
    {
      id: "expired",
      header: "Aged out",
      align: "right",
      cell: (t) => (
        <span
          class="tabular-nums"
          title="Stored records dropped because they are older than the table's window"
        >
          {formatCount(t.records_expired)}
        </span>
      ),
    },
    {
      id: "duration",
      header: "Time",
      align: "right",
      cell: (t) => <span class="tabular-nums">{formatDuration(t.duration_ms)}</span>,
    },
  ] as Column<SyncTableResult>[]).map((c) => ({ ...c, class: "whitespace-nowrap" }));

  return (
    <Drawer
      open={instance !== null}
      onClose={props.onClose}
      title={detail ? "Sync details" : `Sync history of ${instance?.name ?? ""}`}
    >
      <div class="space-y-4 p-4">
        {error && <Alert tone="error">{error}</Alert>}
        {detail
          ? (
            <>
              <Button variant="ghost" size="sm" onClick={() => setDetail(null)}>
                ← All syncs
              </Button>
              <dl class="grid grid-cols-2 gap-2 text-sm">
                <div>
                  <dt class="text-xs text-fg-muted">Outcome</dt>
                  <dd>
                    <Badge tone={RUN_STATUS[detail.status].tone}>
                      {RUN_STATUS[detail.status].label}
                    </Badge>
                  </dd>
                </div>
                <div>
                  <dt class="text-xs text-fg-muted">Duration</dt>
                  <dd>{formatDuration(detail.duration_ms)}</dd>
                </div>
              </dl>
              {detail.error && <Alert tone="warning">{detail.error}</Alert>}
              <Table
                caption="Tables of this sync"
                class="rounded-md border border-line"
                columns={tableColumns}
                rows={detail.tables}
                rowKey={(t) => t.table_name}
              />
            </>
          )
          : runs === null
          ? <Skeleton class="h-40" />
          : (
            <>
              <Table
                caption={`Syncs of ${instance?.name ?? ""}`}
                columns={runColumns}
                rows={runs}
                rowKey={(r) => r.id}
                empty={{ title: "No syncs yet", description: "Start one with Sync now." }}
              />
              {cursor && (
                <Button variant="secondary" size="sm" onClick={() => void more()}>
                  Show older syncs
                </Button>
              )}
            </>
          )}
      </div>
    </Drawer>
  );
}
