import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Check, Copy } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Input } from "../../components/input.tsx";
import { Modal } from "../../components/modal.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import {
  type ApiKeyRole,
  type CreatedApiKey,
  EXPIRY_CHOICES,
  expiryFor,
  KEY_ROLE_HINTS,
} from "./api_keys_model.ts";

/** Props of {@linkcode CreateKeyModal}. */
export interface CreateKeyModalProps {
  open: boolean;
  onClose: () => void;
  /** Creates the key; a refusal is shown in the form. */
  onCreate: (
    input: { name: string; role: ApiKeyRole; expires_at: string | null },
  ) => Promise<CreatedApiKey>;
}

/** Names a new key, picks its role and expiry, then shows the key once. */
export function CreateKeyModal(props: CreateKeyModalProps): JSX.Element {
  const [name, setName] = useState("");
  const [role, setRole] = useState<ApiKeyRole>("viewer");
  const [expiry, setExpiry] = useState("90");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  function close(): void {
    setName("");
    setRole("viewer");
    setExpiry("90");
    setError(null);
    setCreated(null);
    props.onClose();
  }
  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    if (!name.trim()) {
      setError("Give the key a name, e.g. what will use it.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setCreated(await props.onCreate({ name: name.trim(), role, expires_at: expiryFor(expiry) }));
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }

  if (created) return <SecretDialog open={props.open} created={created} onClose={close} />;
  return (
    <Modal
      open={props.open}
      onClose={close}
      title="Create an API key"
      description="The key acts for this organization with its own role, not as you."
    >
      <form onSubmit={submit} class="space-y-4" noValidate>
        {error && <Alert tone="error">{error}</Alert>}
        <Input
          label="Name"
          value={name}
          onValue={setName}
          maxLength={100}
          required
          autoComplete="off"
          hint="What will use it, e.g. “Nightly SIEM export”."
        />
        <Select
          label="Role"
          value={role}
          onValue={(value) => setRole(value as ApiKeyRole)}
          options={[{ value: "viewer", label: "Viewer" }, { value: "analyst", label: "Analyst" }]}
          hint={KEY_ROLE_HINTS[role]}
        />
        <Select
          label="Expires"
          value={expiry}
          onValue={setExpiry}
          options={EXPIRY_CHOICES.map((c) => ({ value: c.value, label: c.label }))}
        />
        <div class="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={close}>Cancel</Button>
          <Button type="submit" loading={busy}>Create key</Button>
        </div>
      </form>
    </Modal>
  );
}

/** Shows a new key once, with a copy button; it cannot be shown again. */
function SecretDialog(
  props: { open: boolean; created: CreatedApiKey; onClose: () => void },
): JSX.Element {
  const [copied, setCopied] = useState(false);
  const [copyError, setCopyError] = useState(false);
  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(props.created.key);
      setCopied(true);
      setCopyError(false);
    } catch {
      setCopyError(true);
    }
  }
  return (
    <Modal
      open={props.open}
      onClose={props.onClose}
      role="alertdialog"
      title="Copy your new API key"
      description="This is the only time the key is shown. Store it in your secret manager now; if you lose it, revoke it and create another."
    >
      <div class="space-y-4">
        <Input
          label={`Key “${props.created.api_key.name}” (${props.created.api_key.role})`}
          value={props.created.key}
          readOnly
          spellcheck={false}
          data-testid="new-api-key"
        />
        {copyError && (
          <Alert tone="warning">
            Your browser did not allow copying: select the key and copy it yourself.
          </Alert>
        )}
        <div class="flex flex-wrap justify-end gap-2 pt-2">
          <Button variant="secondary" icon={copied ? Check : Copy} onClick={() => void copy()}>
            {copied ? "Copied" : "Copy key"}
          </Button>
          <Button onClick={props.onClose}>I've stored it</Button>
        </div>
      </div>
    </Modal>
  );
}
