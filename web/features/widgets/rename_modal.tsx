/**
 * Renaming a widget (its versions keep their configuration).
 *
 * @module
 */
import type { JSX } from "preact";
import { useLayoutEffect, useState } from "preact/hooks";
import { Button } from "../../components/button.tsx";
import { Input } from "../../components/input.tsx";
import { Modal } from "../../components/modal.tsx";
import { errorMessage } from "../../lib/api_error.ts";

/** A modal with the widget's name. */
export function RenameModal(
  props: {
    open: boolean;
    name: string;
    onClose: () => void;
    onRename: (name: string) => Promise<void>;
  },
): JSX.Element {
  const [name, setName] = useState(props.name);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useLayoutEffect(() => (setName(props.name), setError(null)), [props.open, props.name]);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    if (!name.trim()) return setError("Enter a name.");
    setBusy(true);
    try {
      await props.onRename(name.trim());
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal
      open={props.open}
      onClose={props.onClose}
      title="Rename widget"
      size="sm"
      footer={
        <>
          <Button variant="secondary" onClick={props.onClose}>Cancel</Button>
          <Button type="submit" form="rename-widget" loading={busy}>Rename</Button>
        </>
      }
    >
      <form id="rename-widget" onSubmit={(e) => void submit(e)}>
        <Input label="Name" value={name} maxLength={100} required error={error} onValue={setName} />
      </form>
    </Modal>
  );
}
