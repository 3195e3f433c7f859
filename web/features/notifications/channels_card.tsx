import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Ellipsis, KeyRound, Pencil, Plus, Send, Trash2, Waypoints } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { Icon } from "../../components/icon.tsx";
import { Menu, type MenuItem } from "../../components/menu.tsx";
import { type Column, Table } from "../../components/table.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { formatDateTime } from "../../lib/format.ts";
import type { ToastModel } from "../../lib/toast.ts";
import {
  type Channel,
  CHANNEL_KINDS,
  channelTarget,
  type CreateChannelBody,
  DELIVERY_STATUSES,
} from "./notification_catalog.ts";
import type { NotificationSettingsApi, TestResult, UpdateChannelBody } from "./settings_api.ts";
import { ChannelFormModal } from "./channel_form_modal.tsx";
import { SecretDialog } from "./secret_dialog.tsx";
import { EnabledSwitch, LoadError } from "./settings_parts.tsx";

/** Props of {@linkcode ChannelsCard}. */
export interface ChannelsCardProps {
  orgId: string;
  api: NotificationSettingsApi;
  toasts: ToastModel;
  /** The channels; null while loading. */
  channels: Channel[] | null;
  loadError: string | null;
  onReload: () => void;
  onChange: (update: (channels: Channel[]) => Channel[]) => void;
  /** After a channel is deleted (rules drop it). */
  onDeleted: (id: string) => void;
  manage: boolean;
}

type Tested = { channel: Channel; result: TestResult } | { channel: Channel; error: string };

function TestOutcome({ tested }: { tested: Tested }): JSX.Element {
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

/** The channels: the list, and for admins add, edit, enable, test, rotate and delete. */
export function ChannelsCard(props: ChannelsCardProps): JSX.Element {
  const { api, orgId, toasts, onChange } = props;
  const [editing, setEditing] = useState<Channel | "new" | null>(null);
  const [secret, setSecret] = useState<{ name: string; secret: string; rotated: boolean } | null>(
    null,
  );
  const [rotating, setRotating] = useState<Channel | null>(null);
  const [deleting, setDeleting] = useState<Channel | null>(null);
  const [testing, setTesting] = useState<string | null>(null);
  const [tested, setTested] = useState<Tested | null>(null);
  const replace = (saved: Omit<Channel, "last_delivery">) =>
    onChange((all) => all.map((c) => (c.id === saved.id ? { ...c, ...saved } : c)));

  async function save(body: CreateChannelBody | UpdateChannelBody): Promise<void> {
    if (editing === "new") {
      const created = await api.createChannel(orgId, body as CreateChannelBody);
      const { secret: key, ...channel } = created;
      onChange((all) => [...all, { ...channel, last_delivery: null }]);
      setEditing(null);
      if (key) setSecret({ name: channel.name, secret: key, rotated: false });
      else toasts.success(`“${channel.name}” added`);
    } else if (editing) {
      replace(await api.updateChannel(orgId, editing.id, body as UpdateChannelBody));
      setEditing(null);
      toasts.success("Channel saved");
    }
  }
  async function test(channel: Channel): Promise<void> {
    setTesting(channel.id);
    setTested(null);
    try {
      setTested({ channel, result: await api.testChannel(orgId, channel.id) });
    } catch (cause) {
      setTested({ channel, error: errorMessage(cause) });
    } finally {
      setTesting(null);
    }
  }
  async function setEnabled(channel: Channel, enabled: boolean): Promise<void> {
    try {
      replace(await api.updateChannel(orgId, channel.id, { enabled }));
    } catch (cause) {
      toasts.error(`“${channel.name}” was not changed`, errorMessage(cause));
      throw cause;
    }
  }

  const columns: Column<Channel>[] = [
    {
      id: "name",
      header: "Name",
      sortValue: (c) => c.name,
      cell: (c) => <span class="font-medium text-fg">{c.name}</span>,
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
        <p class="max-w-72 truncate font-mono text-xs text-fg-muted" title={channelTarget(c)}>
          {channelTarget(c)}
        </p>
      ),
    },
    {
      id: "enabled",
      header: "Enabled",
      cell: (c) => (
        <EnabledSwitch
          name={c.name}
          enabled={c.enabled}
          canChange={props.manage}
          onChange={(on) => setEnabled(c, on)}
        />
      ),
    },
  ];
  if (props.manage) {
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
          { id: "edit", label: "Edit", icon: Pencil, onSelect: () => setEditing(c) },
        ];
        if (CHANNEL_KINDS[c.kind].signed) {
          items.push({
            id: "rotate",
            label: "Rotate secret",
            icon: KeyRound,
            onSelect: () => setRotating(c),
          });
        }
        return (
          <div class="flex items-center justify-end gap-1">
            <Button
              variant="secondary"
              size="sm"
              icon={Send}
              loading={testing === c.id}
              onClick={() => void test(c)}
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
                  onSelect: () => setDeleting(c),
                }],
              }]}
            />
          </div>
        );
      },
    });
  }

  return (
    <Card
      flush
      title="Channels"
      description="Where alerts go. Rules pick one or more channels."
      actions={props.manage && (
        <Button size="sm" icon={Plus} onClick={() => setEditing("new")}>Add channel</Button>
      )}
    >
      {tested && (
        <div class="border-b border-line px-5 py-3">
          <TestOutcome tested={tested} />
        </div>
      )}
      {props.loadError
        ? <LoadError what="channels" message={props.loadError} onRetry={props.onReload} />
        : (
          <Table
            caption="Notification channels"
            columns={columns}
            rows={props.channels ?? []}
            rowKey={(c) => c.id}
            loading={props.channels === null}
            pageSize={20}
            empty={{
              icon: Waypoints,
              title: "No channels yet",
              description: props.manage
                ? "Add an email list, a webhook for your SIEM, or a Slack or Teams channel."
                : "An admin can add email, webhook, Slack or Teams channels here.",
            }}
          />
        )}
      <ChannelFormModal
        open={editing !== null}
        channel={editing === "new" ? null : editing}
        onClose={() => setEditing(null)}
        onSave={save}
      />
      <SecretDialog shown={secret} onClose={() => setSecret(null)} />
      <ConfirmDialog
        open={rotating !== null}
        title="Rotate the signing secret?"
        message={rotating && (
          <>
            <strong class="text-fg">{rotating.name}</strong>{" "}
            gets a new secret and the current one stops working at once: messages fail verification
            until the receiver has the new one.
          </>
        )}
        confirmLabel="Rotate secret"
        onConfirm={async () => {
          const rotated = await api.rotateSecret(orgId, rotating!.id);
          setRotating(null);
          setSecret({ name: rotated.name, secret: rotated.secret ?? "", rotated: true });
        }}
        onCancel={() => setRotating(null)}
      />
      <ConfirmDialog
        open={deleting !== null}
        title="Delete channel?"
        message={deleting && (
          <>
            <strong class="text-fg">{deleting.name}</strong>{" "}
            is removed, and rules stop sending there. Its past deliveries stay in the log.
          </>
        )}
        confirmLabel="Delete channel"
        onConfirm={async () => {
          await api.deleteChannel(orgId, deleting!.id);
          onChange((all) => all.filter((c) => c.id !== deleting!.id));
          props.onDeleted(deleting!.id);
          toasts.success(`“${deleting!.name}” deleted`);
          setDeleting(null);
        }}
        onCancel={() => setDeleting(null)}
      />
    </Card>
  );
}
