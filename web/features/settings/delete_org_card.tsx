import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { Trash2 } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { Input } from "../../components/input.tsx";
import { Modal } from "../../components/modal.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";

/**
 * Deletes the organization (owners): the name typed exactly as confirmation,
 * then everything it holds is removed at once.
 */
export function DeleteOrgCard(props: { orgId: string; orgName: string }): JSX.Element {
  const { api, orgs, toasts } = useApp();
  const { route } = useLocation();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const matches = typed.trim() === props.orgName;

  function close(): void {
    setOpen(false);
    setTyped("");
    setError(null);
  }
  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    if (!matches) return;
    setBusy(true);
    setError(null);
    try {
      await api.organizations.remove(props.orgId, typed.trim());
      toasts.success(`${props.orgName} was deleted`, "Its data is gone for good.");
      close();
      await orgs.reload();
      route("/app", true);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card
      title="Delete organization"
      headingLevel={2}
      description="Removes the organization and everything in it for every member, right away. This cannot be undone."
    >
      <Button variant="danger" icon={Trash2} onClick={() => setOpen(true)}>
        Delete {props.orgName}
      </Button>
      <Modal
        open={open}
        onClose={close}
        title={`Delete ${props.orgName}?`}
        description="Members lose access at once. Instances and their stored credentials, synced ServiceNow data, analysis runs and findings, reports and their files, invitations and jobs are deleted. Nothing is kept for recovery."
      >
        <form onSubmit={submit} class="space-y-4">
          {error && <Alert tone="error">{error}</Alert>}
          <Input
            label={`Type ${props.orgName} to confirm`}
            value={typed}
            onValue={setTyped}
            autoComplete="off"
            spellcheck={false}
            required
          />
          <div class="flex justify-end gap-2 pt-2">
            <Button variant="secondary" onClick={close}>Cancel</Button>
            <Button type="submit" variant="danger" loading={busy} disabled={!matches}>
              Delete organization
            </Button>
          </div>
        </form>
      </Modal>
    </Card>
  );
}
