import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ChevronLeft, ChevronRight, History, RefreshCw } from "lucide";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { Icon } from "../../components/icon.tsx";
import { Select } from "../../components/select.tsx";
import { type Column, Table } from "../../components/table.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { formatDateTime } from "../../lib/format.ts";
import {
  type Channel,
  type Delivery,
  DELIVERY_STATUSES,
  deliveryKindLabel,
  type DeliveryStatus,
  keysOf,
  type Rule,
} from "./notification_catalog.ts";
import type { DeliveryPage, NotificationSettingsApi } from "./settings_api.ts";
import { LoadError } from "./settings_parts.tsx";

/** Rows per page of the delivery log. */
const PAGE_SIZE = 25;

/** Props of {@linkcode DeliveriesCard}. */
export interface DeliveriesCardProps {
  orgId: string;
  api: NotificationSettingsApi;
  rules: Rule[];
  channels: Channel[];
}

function channelCell(d: Delivery, names: Map<string, string>): JSX.Element {
  const kind = deliveryKindLabel(d.channel_kind);
  if (d.channel_kind === "in_app") return <span>{kind}</span>;
  const name = d.channel_id ? names.get(d.channel_id) : undefined;
  return (
    <div class="min-w-0">
      <p class="truncate">{name ?? "A removed channel"}</p>
      <p class="text-xs text-fg-muted">{kind}</p>
    </div>
  );
}

/**
 * The delivery log (admins): one row per alert and channel, newest first, a
 * status filter and pages fetched from the API as they are opened.
 */
export function DeliveriesCard(props: DeliveriesCardProps): JSX.Element {
  const { api, orgId } = props;
  const [status, setStatus] = useState<"" | DeliveryStatus>("");
  // cursors[i] opens page i; page 0 has none.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [index, setIndex] = useState(0);
  const [page, setPage] = useState<DeliveryPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    setPage(null);
    setError(null);
    api.deliveries(orgId, {
      status: status || undefined,
      cursor: cursors[index],
      limit: PAGE_SIZE,
    }, abort.signal).then(
      setPage,
      (cause) => !abort.signal.aborted && setError(errorMessage(cause)),
    );
    return () => abort.abort();
  }, [orgId, status, index, reloads]);

  const restart = () => {
    setCursors([undefined]);
    setIndex(0);
    setReloads((n) => n + 1);
  };
  const older = () => {
    if (!page?.next_cursor) return;
    setCursors([...cursors.slice(0, index + 1), page.next_cursor]);
    setIndex(index + 1);
  };

  const rules = new Map(props.rules.map((r) => [r.id, r.name]));
  const channels = new Map(props.channels.map((c) => [c.id, c.name]));
  const columns: Column<Delivery>[] = [
    {
      id: "time",
      primary: true,
      header: "Time",
      cell: (d) => (
        <span class="whitespace-nowrap text-fg-muted">{formatDateTime(d.created_at)}</span>
      ),
    },
    {
      id: "rule",
      header: "Rule",
      cell: (d) =>
        (d.rule_id ? rules.get(d.rule_id) : undefined) ?? (
          <span class="text-fg-muted">A removed rule</span>
        ),
    },
    { id: "channel", header: "Channel", cell: (d) => channelCell(d, channels) },
    {
      id: "status",
      header: "Status",
      cell: (d) => (
        <Badge tone={DELIVERY_STATUSES[d.status].tone}>{DELIVERY_STATUSES[d.status].label}</Badge>
      ),
    },
    {
      id: "code",
      header: "HTTP status",
      align: "right",
      cell: (d) => <span class="font-mono text-xs">{d.response_code ?? "—"}</span>,
    },
    {
      id: "error",
      header: "Error",
      cell: (d) =>
        d.error
          ? <p class="max-w-80 break-words text-xs text-fg-muted">{d.error}</p>
          : <span class="text-fg-muted">—</span>,
    },
  ];

  const filterLabel = status ? DELIVERY_STATUSES[status].label.toLowerCase() : "";
  return (
    <Card
      flush
      title="Delivery log"
      description="Every alert each rule sent, per channel, with the receiver's answer. Test alerts are not listed."
    >
      <div class="flex flex-wrap items-end gap-2 border-b border-line px-5 py-3">
        <Select
          label="Status"
          size="sm"
          class="w-44"
          value={status}
          options={[
            { value: "", label: "All statuses" },
            ...keysOf(DELIVERY_STATUSES).map((s) => ({
              value: s,
              label: DELIVERY_STATUSES[s].label,
            })),
          ]}
          onValue={(value) => {
            setStatus(value);
            setCursors([undefined]);
            setIndex(0);
          }}
        />
        <Button variant="secondary" size="sm" icon={RefreshCw} onClick={restart}>Refresh</Button>
      </div>
      {error
        ? <LoadError what="delivery log" message={error} onRetry={() => setReloads((n) => n + 1)} />
        : (
          <Table
            stackOnPhone
            caption={`Alert deliveries, page ${index + 1}`}
            columns={columns}
            rows={page?.data ?? []}
            rowKey={(d) => d.id}
            loading={page === null}
            empty={{
              icon: History,
              title: status ? `No ${filterLabel} deliveries` : "No alerts sent yet",
              description: status
                ? "Choose “All statuses” to see every delivery."
                : "When a rule fires, each channel's delivery shows here with the receiver's answer.",
            }}
          />
        )}
      {(index > 0 || page?.next_cursor) && (
        <nav
          aria-label="Delivery log pages"
          class="flex items-center justify-between gap-2 border-t border-line px-5 py-3 text-sm text-fg-muted"
        >
          <Button
            variant="secondary"
            size="sm"
            icon={ChevronLeft}
            disabled={index === 0}
            onClick={() => setIndex(index - 1)}
          >
            Newer
          </Button>
          <span>Page {index + 1}</span>
          <Button
            variant="secondary"
            size="sm"
            disabled={!page?.next_cursor}
            onClick={older}
          >
            Older <Icon icon={ChevronRight} class="size-4" />
          </Button>
        </nav>
      )}
    </Card>
  );
}
