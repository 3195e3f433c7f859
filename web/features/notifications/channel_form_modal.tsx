import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Input, Textarea } from "../../components/input.tsx";
import { Modal } from "../../components/modal.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import {
  type Channel,
  CHANNEL_KINDS,
  type ChannelKind,
  channelKindNames,
  keysOf,
} from "./notification_catalog.ts";
import type { UpdateChannelBody } from "./settings_api.ts";
import {
  channelApiErrors,
  channelBody,
  type ChannelDraft,
  channelDraft,
  type ChannelField,
  type FormErrors,
} from "./settings_forms.ts";
import type { CreateChannelBody } from "./notification_catalog.ts";

/** Props of {@linkcode ChannelFormModal}. */
export interface ChannelFormModalProps {
  open: boolean;
  /** The channel to edit; none to create one. */
  channel: Channel | null;
  onClose: () => void;
  /** Saves; a refusal is shown in the form, which stays open. */
  onSave: (body: CreateChannelBody | UpdateChannelBody) => Promise<void>;
}

/** Adds a channel (its kind decides the target field) or changes one. */
export function ChannelFormModal(props: ChannelFormModalProps): JSX.Element {
  const editing = props.channel;
  const [draft, setDraft] = useState<ChannelDraft>(() => channelDraft(editing ?? undefined));
  const [errors, setErrors] = useState<FormErrors<ChannelField>>({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!props.open) return;
    setDraft(channelDraft(editing ?? undefined));
    setErrors({});
  }, [props.open, editing]);

  const info = CHANNEL_KINDS[draft.kind];
  const target = info.target;
  const set = (key: keyof ChannelDraft) => (value: string) => setDraft({ ...draft, [key]: value });

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    const checked = channelBody(draft, editing ?? undefined);
    if (checked.errors) return setErrors(checked.errors);
    setBusy(true);
    setErrors({});
    try {
      await props.onSave(checked.body);
    } catch (cause) {
      setErrors(channelApiErrors(cause, draft.kind, errorMessage(cause)));
    } finally {
      setBusy(false);
    }
  }

  const keepHint = editing && info.maskedUrl
    ? ` The saved URL is hidden (${editing.url}); leave this empty to keep it.`
    : "";
  return (
    <Modal
      open={props.open}
      onClose={props.onClose}
      title={editing ? `Edit “${editing.name}”` : "Add a channel"}
      description={editing
        ? `${info.label} channel: ${info.description}`
        : `Where alert rules can send: ${channelKindNames()}.`}
    >
      <form onSubmit={submit} class="space-y-4" noValidate>
        {errors.form && <Alert tone="error">{errors.form}</Alert>}
        {!editing && (
          <Select
            label="Kind"
            value={draft.kind}
            options={keysOf(CHANNEL_KINDS).map((k) => ({
              value: k,
              label: CHANNEL_KINDS[k].label,
            }))}
            onValue={(kind: ChannelKind) => (setDraft({ ...draft, kind }), setErrors({}))}
            hint={info.description}
          />
        )}
        <Input
          label="Name"
          value={draft.name}
          onValue={set("name")}
          maxLength={100}
          required
          autoComplete="off"
          error={errors.name}
          hint="Shown in rules and the delivery log."
        />
        {target.type === "url"
          ? (
            <Input
              label={target.label}
              type="url"
              inputMode="url"
              value={draft.url}
              onValue={set("url")}
              placeholder={target.placeholder}
              maxLength={2000}
              required={!keepHint}
              spellcheck={false}
              autoComplete="off"
              error={errors.url}
              hint={target.hint + keepHint}
            />
          )
          : (
            <Textarea
              label={target.label}
              value={draft.list}
              onValue={set("list")}
              placeholder={target.placeholder}
              rows={3}
              required
              spellcheck={false}
              error={errors.list}
              hint={target.hint}
            />
          )}
        {info.signed && !editing && (
          <p class="text-sm text-fg-muted">
            We create a signing secret and show it once, after you add the channel.
          </p>
        )}
        <div class="flex flex-wrap justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={props.onClose}>Cancel</Button>
          <Button type="submit" loading={busy}>{editing ? "Save channel" : "Add channel"}</Button>
        </div>
      </form>
    </Modal>
  );
}
