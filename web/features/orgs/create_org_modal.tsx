import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Input } from "../../components/input.tsx";
import { Modal } from "../../components/modal.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";

/** Creates another organization (the user becomes its owner) and switches to it. */
export function CreateOrgModal(
  { open, onClose }: { open: boolean; onClose: () => void },
): JSX.Element {
  const { orgs, toasts } = useApp();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function close(): void {
    setName("");
    setError(null);
    onClose();
  }
  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const org = await orgs.create({ name: name.trim() });
      toasts.success(
        `${org.name} created`,
        "You are its owner. Invite your team from the Team page.",
      );
      close();
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      onClose={close}
      title="Create an organization"
      description="Use separate organizations for separate companies or audit scopes. Members, instances and billing are per organization."
    >
      <form id="create-org" onSubmit={submit} class="space-y-4">
        {error && <Alert tone="error">{error}</Alert>}
        <Input label="Organization name" value={name} onValue={setName} required maxLength={100} />
        <div class="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={close}>Cancel</Button>
          <Button type="submit" loading={busy}>Create organization</Button>
        </div>
      </form>
    </Modal>
  );
}
