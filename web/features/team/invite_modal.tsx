import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Input } from "../../components/input.tsx";
import { Modal } from "../../components/modal.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { InvitableRole } from "../../lib/api_types.ts";
import { ROLE_DESCRIPTIONS, ROLE_LABELS } from "./team_rules.ts";

/** Props of {@linkcode InviteModal}. */
export interface InviteModalProps {
  open: boolean;
  onClose: () => void;
  /** Roles an invitation may grant. */
  roles: InvitableRole[];
  /** Sends the invitation; a refusal is shown in the form. */
  onInvite: (email: string, role: InvitableRole) => Promise<void>;
}

/** Invites someone by email, with or without a ComplianceIQ account. */
export function InviteModal(props: InviteModalProps): JSX.Element {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<InvitableRole>("viewer");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function close(): void {
    setEmail("");
    setRole("viewer");
    setError(null);
    props.onClose();
  }
  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onInvite(email.trim(), role);
      close();
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={props.open}
      onClose={close}
      title="Invite a teammate"
      description="We email them a link that works once and expires in 7 days. They join with an existing account or create one from the link."
    >
      <form onSubmit={submit} class="space-y-4">
        {error && <Alert tone="error">{error}</Alert>}
        <Input
          label="Email"
          type="email"
          autoComplete="off"
          value={email}
          onValue={setEmail}
          required
          spellcheck={false}
        />
        <Select
          label="Role"
          value={role}
          onValue={setRole}
          options={props.roles.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
          hint={ROLE_DESCRIPTIONS[role]}
        />
        <div class="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={close}>Cancel</Button>
          <Button type="submit" loading={busy}>Send invitation</Button>
        </div>
      </form>
    </Modal>
  );
}
