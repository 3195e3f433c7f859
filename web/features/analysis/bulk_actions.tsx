import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { BellOff } from "lucide";
import { Button } from "../../components/button.tsx";
import { Modal } from "../../components/modal.tsx";
import { Select } from "../../components/select.tsx";
import type { Member } from "../../lib/api_types.ts";
import { TRIAGE_LABELS, TRIAGE_STATES, type TriageState } from "./analysis_api.ts";
import { MuteFields } from "./mute_fields.tsx";

/** What a bulk mute says. */
export interface BulkMute {
  reason: string;
  ownerId: string;
  /** A date (yyyy-mm-dd), or "" for no expiry. */
  expires: string;
}

/** Props of {@linkcode BulkActions}. */
export interface BulkActionsProps {
  /** Findings shown on the page, and how many of them are selected. */
  shown: number;
  selected: number;
  onSelectAll: (all: boolean) => void;
  onTriage: (state: TriageState) => Promise<void>;
  onMute: (mute: BulkMute) => Promise<void>;
  members: readonly Member[];
  currentUserId: string;
}

/** Select findings, then set their triage or mute them, all at once. */
export function BulkActions(props: BulkActionsProps): JSX.Element {
  const [state, setState] = useState<TriageState>("under_review");
  const [busy, setBusy] = useState(false);
  const [muting, setMuting] = useState(false);
  const [reason, setReason] = useState("");
  const [owner, setOwner] = useState(props.currentUserId);
  const [expires, setExpires] = useState("");
  const [error, setError] = useState<string | null>(null);
  const none = props.selected === 0;

  async function triage(): Promise<void> {
    setBusy(true);
    try {
      await props.onTriage(state);
    } finally {
      setBusy(false);
    }
  }

  async function mute(event: Event): Promise<void> {
    event.preventDefault();
    if (reason.trim().length < 3) {
      setError("Give a reason (at least 3 characters): auditors will read it.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await props.onMute({ reason: reason.trim(), ownerId: owner, expires });
      setMuting(false);
      setReason("");
      setExpires("");
    } catch (cause) {
      setError(cause instanceof Error ? cause.message : "The findings were not muted.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div
      class="flex flex-wrap items-end gap-3 rounded-lg border border-line bg-surface-muted px-3 py-2"
      role="group"
      aria-label="Change the selected findings"
    >
      <label class="flex items-center gap-2 self-center text-sm">
        <input
          type="checkbox"
          class="size-4"
          checked={props.shown > 0 && props.selected === props.shown}
          disabled={props.shown === 0}
          onChange={(event) => props.onSelectAll((event.target as HTMLInputElement).checked)}
        />
        Select all {props.shown} shown
      </label>
      <p class="self-center text-sm font-medium tabular-nums" aria-live="polite">
        {props.selected} selected
      </p>
      <div class="flex items-end gap-2">
        <Select
          label="Set triage to"
          size="sm"
          value={state}
          options={TRIAGE_STATES.map((t) => ({ value: t, label: TRIAGE_LABELS[t] }))}
          onValue={setState}
        />
        <Button size="sm" variant="secondary" disabled={none} loading={busy} onClick={triage}>
          Apply
        </Button>
      </div>
      <Button
        size="sm"
        variant="secondary"
        icon={BellOff}
        disabled={none}
        onClick={() => setMuting(true)}
      >
        Mute selected
      </Button>
      <Modal
        open={muting}
        onClose={() => setMuting(false)}
        title={`Mute ${props.selected} finding${props.selected === 1 ? "" : "s"}`}
        footer={
          <>
            <Button variant="ghost" onClick={() => setMuting(false)}>Cancel</Button>
            <Button type="submit" form="bulk-mute-form" loading={busy}>Mute findings</Button>
          </>
        }
      >
        <form id="bulk-mute-form" class="space-y-3" onSubmit={mute}>
          <p class="text-sm text-fg-muted">
            Muted findings stay visible but are left out of scores until the mute expires or is
            revoked. Findings muted already keep their mute.
          </p>
          <MuteFields
            reason={reason}
            owner={owner}
            expires={expires}
            error={error}
            members={props.members}
            onReason={setReason}
            onOwner={setOwner}
            onExpires={setExpires}
          />
        </form>
      </Modal>
    </div>
  );
}
