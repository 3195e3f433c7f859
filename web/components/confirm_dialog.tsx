import type { ComponentChildren, JSX } from "preact";
import { useState } from "preact/hooks";
import { errorMessage } from "../lib/api_error.ts";
import { Button } from "./button.tsx";
import { Modal } from "./modal.tsx";

/** Props of {@linkcode ConfirmDialog}. */
export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What will happen, in plain words. */
  message: ComponentChildren;
  confirmLabel: string;
  /** "danger" for destructive actions (the default). */
  tone?: "danger" | "primary";
  /** The action; a rejection is shown inside the dialog, which stays open. */
  onConfirm: () => Promise<void> | void;
  onCancel: () => void;
}

/**
 * Asks before a consequential action. Focus starts on Cancel, so Enter never
 * confirms by accident; the confirm button shows progress, and a refusal from
 * the API is shown in the dialog.
 *
 * @example
 * <ConfirmDialog open={!!target} title="Remove member?" message="…" confirmLabel="Remove" onConfirm={remove} onCancel={close} />
 */
export function ConfirmDialog(props: ConfirmDialogProps): JSX.Element {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function cancel(): void {
    if (busy) return;
    setError(null);
    props.onCancel();
  }
  async function confirm(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={props.open}
      onClose={cancel}
      title={props.title}
      size="sm"
      role="alertdialog"
      footer={
        <>
          <Button variant="secondary" onClick={cancel} disabled={busy} data-autofocus>
            Cancel
          </Button>
          <Button
            variant={props.tone === "primary" ? "primary" : "danger"}
            onClick={confirm}
            loading={busy}
          >
            {props.confirmLabel}
          </Button>
        </>
      }
    >
      <div class="space-y-3 text-sm text-fg-muted">
        <div>{props.message}</div>
        {error && (
          <p
            role="alert"
            class="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
          >
            {error}
          </p>
        )}
      </div>
    </Modal>
  );
}
