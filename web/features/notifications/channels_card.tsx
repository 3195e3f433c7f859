import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Plus, Waypoints } from "lucide";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { Table } from "../../components/table.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { ToastModel } from "../../lib/toast.ts";
import { type Channel, channelKindNames, type CreateChannelBody } from "./notification_catalog.ts";
import type { NotificationSettingsApi, UpdateChannelBody } from "./settings_api.ts";
import { ChannelFormModal } from "./channel_form_modal.tsx";
import { channelColumns, type Tested, TestOutcome } from "./channel_columns.tsx";
import { SecretDialog } from "./secret_dialog.tsx";
import { LoadError } from "./settings_parts.tsx";

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

  const columns = channelColumns({
    manage: props.manage,
    testing,
    onTest: (c) => void test(c),
    onEdit: setEditing,
    onRotate: setRotating,
    onDelete: setDeleting,
    onEnabled: setEnabled,
  });

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
            stackOnPhone
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
                ? `Add a channel for your team or tools: ${channelKindNames()}.`
                : `An admin can add channels here: ${channelKindNames()}.`,
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
