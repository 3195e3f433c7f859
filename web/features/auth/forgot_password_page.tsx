import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Input } from "../../components/input.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";
import { AuthLayout } from "./auth_layout.tsx";
import { CheckInbox } from "./check_inbox.tsx";

/**
 * `/forgot-password`: sends a reset link. The answer is the same whether or
 * not an account exists, so the page cannot be used to find accounts.
 */
export function ForgotPasswordPage(): JSX.Element {
  const { session } = useApp();
  const [email, setEmail] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.requestPasswordReset(email);
      setSentTo(email.trim());
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }

  if (sentTo) {
    return (
      <AuthLayout title="Check your inbox" subtitle="Reset links expire after an hour.">
        <CheckInbox
          email={sentTo}
          purpose="choose a new password"
          onResend={() => session.requestPasswordReset(sentTo)}
        />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Reset your password"
      subtitle="Enter the email you sign in with and we'll send you a link to choose a new password."
      footer={
        <p>
          Remembered it?{" "}
          <a href="/login" class="font-medium text-accent-text hover:underline">Back to sign in</a>
        </p>
      }
    >
      <form onSubmit={submit} class="space-y-5">
        {error && <Alert tone="error">{error}</Alert>}
        <Input
          label="Work email"
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onValue={setEmail}
          required
          spellcheck={false}
        />
        <Button type="submit" size="lg" class="w-full" loading={busy}>
          Send reset link
        </Button>
      </form>
    </AuthLayout>
  );
}
