import type { JSX } from "preact";
import { Ellipsis, KeyRound, Pencil, Send, Trash2 } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Icon } from "../../components/icon.tsx";
import { Menu, type MenuItem } from "../../components/menu.tsx";
import type { Column } from "../../components/table.tsx";
import { formatDateTime } from "../../lib/format.ts";
import {
  type Channel,
  CHANNEL_KINDS,
  channelTarget,
  DELIVERY_STATUSES,
} from "./notification_catalog.ts";
import type { TestResult } from "./settings_api.ts";
import { EnabledSwitch } from "./settings_parts.tsx";

/** A test alert's outcome, or why it could not be sent. */
export type Tested = { channel: Channel; result: TestResult } | { channel: Channel; error: string };

/** What the receiver of a test alert answered, in words. */
export function TestOutcome({ tested }: { tested: Tested }): JSX.Element {
  const name = `“${tested.channel.name}”`;
  if ("error" in tested) {
    return (
      <Alert tone="error" title={`The test alert to ${name} was not sent`}>{tested.error}</Alert>
    );
  }
  const { ok, status, error } = tested.result;
  const answer = status === null ? "" : `The receiver answered HTTP ${status}`;
  if (ok) {
    return (
      <Alert tone="success" title={`Test alert to ${name} delivered`}>
        {answer ? `${answer}.` : "The message was handed to the mail server."}
      </Alert>
    );
  }
  return (
    <Alert tone="error" title={`Test alert to ${name} failed`}>
      {[answer, error].filter(Boolean).join(": ") || "The receiver did not accept it."}
    </Alert>
  );
}

function LastDelivery({ channel }: { channel: Channel }): JSX.Element {
  const last = channel.last_delivery;
  if (!last) return <span class="text-fg-muted">Nothing sent yet</span>;
  const status = DELIVERY_STATUSES[last.status];
  return (
    <div class="min-w-0 space-y-0.5">
      <div class="flex items-center gap-2">
        <Badge tone={status.tone}>{status.label}</Badge>
        {last.response_code !== null && (
          <span class="font-mono text-xs text-fg-muted">HTTP {last.response_code}</span>
        )}
      </div>
      <p class="whitespace-nowrap text-xs text-fg-muted">{formatDateTime(last.created_at)}</p>
      {last.error && (
        <p class="max-w-56 truncate text-xs text-fg-muted" title={last.error}>{last.error}</p>
      )}
    </div>
  );
}

/** A channel switched off after sustained failure, or failing now. */
function ChannelHealth({ channel }: { channel: Channel }): JSX.Element | null {
  if (!channel.enabled && channel.disabled_at) {
    return (
      <p title={channel.disabled_reason ?? undefined}>
        <Badge tone="danger">Disabled after failures</Badge>
        <span class="sr-only">: {channel.disabled_reason}</span>
      </p>
    );
  }
  if (channel.enabled && channel.consecutive_failures > 0) {
    return (
      <p class="text-xs text-fg-muted">
        <Badge tone="warning">
          {channel.consecutive_failures} failed in a row
        </Badge>
        {channel.failing_since && (
          <span class="block">since {formatDateTime(String(channel.failing_since))}</span>
        )}
      </p>
    );
  }
  return null;
}

/** What the channel columns need from the card. */
export interface ChannelColumnOptions {
  manage: boolean;
  /** The channel a test alert is being sent to. */
  testing: string | null;
  onTest: (channel: Channel) => void;
  onEdit: (channel: Channel) => void;
  onRotate: (channel: Channel) => void;
  onDelete: (channel: Channel) => void;
  onEnabled: (channel: Channel, enabled: boolean) => Promise<void>;
}

/** The channels table's columns; admins get the last delivery and the actions. */
export function channelColumns(options: ChannelColumnOptions): Column<Channel>[] {
  const columns: Column<Channel>[] = [
    {
      id: "name",
      primary: true,
      header: "Name",
      sortValue: (c) => c.name,
      cell: (c) => <p class="min-w-28 font-medium text-fg">{c.name}</p>,
    },
    {
      id: "kind",
      header: "Kind",
      sortValue: (c) => CHANNEL_KINDS[c.kind].label,
      cell: (c) => <Badge tone="brand">{CHANNEL_KINDS[c.kind].label}</Badge>,
    },
    {
      id: "target",
      header: "Sends to",
      cell: (c) => (
        <p
          class="max-w-72 font-mono text-xs text-fg-muted [overflow-wrap:anywhere] sm:truncate"
          title={channelTarget(c)}
        >
          {channelTarget(c)}
        </p>
      ),
    },
    {
      id: "enabled",
      header: "Enabled",
      cell: (c) => (
        <div class="space-y-1">
          <EnabledSwitch
            name={c.name}
            enabled={c.enabled}
            canChange={options.manage}
            onChange={(on) => options.onEnabled(c, on)}
          />
          <ChannelHealth channel={c} />
        </div>
      ),
    },
  ];
  if (options.manage) {
    columns.push({
      id: "last",
      header: "Last delivery",
      sortValue: (c) => c.last_delivery?.created_at ?? null,
      cell: (c) => <LastDelivery channel={c} />,
    }, {
      id: "actions",
      header: "Actions",
      hideHeader: true,
      align: "right",
      cell: (c) => {
        const items: MenuItem[] = [
          { id: "edit", label: "Edit", icon: Pencil, onSelect: () => options.onEdit(c) },
        ];
        if (CHANNEL_KINDS[c.kind].signed) {
          items.push({
            id: "rotate",
            label: "Rotate secret",
            icon: KeyRound,
            onSelect: () => options.onRotate(c),
          });
        }
        return (
          <div class="flex items-center justify-end gap-1">
            <Button
              variant="secondary"
              size="sm"
              icon={Send}
              loading={options.testing === c.id}
              onClick={() => options.onTest(c)}
              aria-label={`Send a test alert to ${c.name}`}
            >
              Test
            </Button>
            <Menu
              trigger={<Icon icon={Ellipsis} class="size-4" />}
              triggerLabel={`More actions for ${c.name}`}
              triggerClass="inline-flex size-8 items-center justify-center rounded-md text-fg-muted hover:bg-surface-muted hover:text-fg"
              align="right"
              groups={[{ items }, {
                items: [{
                  id: "delete",
                  label: "Delete",
                  icon: Trash2,
                  tone: "danger",
                  onSelect: () => options.onDelete(c),
                }],
              }]}
            />
          </div>
        );
      },
    });
  }

  return columns;
}
