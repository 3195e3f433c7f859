import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Check, Copy } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Input } from "../../components/input.tsx";
import { Modal } from "../../components/modal.tsx";

/** Props of {@linkcode SecretDialog}. */
export interface SecretDialogProps {
  /** The channel and its secret; null when closed. */
  shown: { name: string; secret: string; rotated: boolean } | null;
  onClose: () => void;
}

/**
 * Shows a webhook's signing secret once, with a copy button: the API never
 * returns it again.
 */
export function SecretDialog(props: SecretDialogProps): JSX.Element {
  const [copied, setCopied] = useState(false);
  const [copyError, setCopyError] = useState(false);
  useEffect(() => {
    setCopied(false);
    setCopyError(false);
  }, [props.shown]);

  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(props.shown!.secret);
      setCopied(true);
      setCopyError(false);
    } catch {
      setCopyError(true);
    }
  }
  const shown = props.shown;
  return (
    <Modal
      open={shown !== null}
      onClose={props.onClose}
      role="alertdialog"
      title="Copy the signing secret"
      description={shown?.rotated
        ? `“${shown.name}” has a new secret. The old one stopped working: update your receiver now.`
        : `Your receiver verifies each message from “${shown?.name ?? ""}” with this secret.`}
    >
      <div class="space-y-4">
        <Alert tone="warning" title="Shown only this once">
          Store it in your receiver's configuration or secret manager now. If you lose it, rotate
          the secret to get a new one.
        </Alert>
        <Input
          label="Signing secret"
          value={shown?.secret ?? ""}
          readOnly
          spellcheck={false}
          data-testid="webhook-secret"
          hint="Verify the webhook-signature header with any Standard Webhooks library."
        />
        {copyError && (
          <Alert tone="warning">
            Your browser did not allow copying: select the secret and copy it yourself.
          </Alert>
        )}
        <div class="flex flex-wrap justify-end gap-2 pt-2">
          <Button variant="secondary" icon={copied ? Check : Copy} onClick={() => void copy()}>
            {copied ? "Copied" : "Copy secret"}
          </Button>
          <Button onClick={props.onClose}>I've stored it</Button>
        </div>
      </div>
    </Modal>
  );
}
