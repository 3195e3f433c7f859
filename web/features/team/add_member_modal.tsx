import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Input } from "../../components/input.tsx";
import { Modal } from "../../components/modal.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { Role } from "../../lib/api_types.ts";
import { ROLE_DESCRIPTIONS, ROLE_LABELS } from "./team_rules.ts";

/** Props of {@linkcode AddMemberModal}. */
export interface AddMemberModalProps {
  open: boolean;
  onClose: () => void;
  /** Roles the current user may grant. */
  roles: Role[];
  /** Adds the member; a rejection (e.g. no such account) is shown in the form. */
  onAdd: (email: string, role: Role) => Promise<void>;
}

/** Adds an existing ComplianceIQ user to the organization by email, with a role. */
export function AddMemberModal(props: AddMemberModalProps): JSX.Element {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
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
      await props.onAdd(email.trim(), role);
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
      title="Add a member"
      description="They need a ComplianceIQ account already. They'll see this organization in their switcher right away."
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
          <Button type="submit" loading={busy}>Add member</Button>
        </div>
      </form>
    </Modal>
  );
}
