import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Mail } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Icon } from "../../components/icon.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";

/**
 * "We sent you an email" panel, with a resend button and, on the local dev
 * stack, a pointer to the dev mailbox.
 */
export function CheckInbox(
  { email, purpose, onResend }: { email: string; purpose: string; onResend?: () => Promise<void> },
): JSX.Element {
  const { config } = useApp();
  const [state, setState] = useState<"idle" | "sending" | "sent">("idle");
  const [error, setError] = useState<string | null>(null);

  async function resend(): Promise<void> {
    if (!onResend) return;
    setState("sending");
    setError(null);
    try {
      await onResend();
      setState("sent");
    } catch (cause) {
      setError(errorMessage(cause));
      setState("idle");
    }
  }

  return (
    <div class="space-y-5">
      <div class="flex items-start gap-3 rounded-lg border border-line bg-surface p-4">
        <div class="flex size-10 shrink-0 items-center justify-center rounded-full bg-accent-soft text-accent-text">
          <Icon icon={Mail} class="size-5" />
        </div>
        <p class="text-sm text-fg-muted">
          If <strong class="font-semibold text-fg">{email}</strong>{" "}
          can receive mail from us, a link is on its way. Open it to {purpose}. The link works once.
        </p>
      </div>
      {config.devMailbox && (
        <Alert tone="info" title="Local dev stack">
          Emails are not sent here. Open{" "}
          <a
            class="font-medium underline"
            href={`/auth/v1/_dev/mailbox?to=${encodeURIComponent(email)}`}
            target="_blank"
            rel="noopener"
          >
            the dev mailbox
          </a>{" "}
          and follow the <code>link</code> of the newest message.
        </Alert>
      )}
      {error && <Alert tone="error">{error}</Alert>}
      {state === "sent" && (
        <Alert tone="success">Sent again. Check your inbox and spam folder.</Alert>
      )}
      <div class="flex flex-wrap gap-2">
        {onResend && (
          <Button variant="secondary" onClick={resend} loading={state === "sending"}>
            Resend the email
          </Button>
        )}
        <Button variant="ghost" href="/login">Back to sign in</Button>
      </div>
    </div>
  );
}
