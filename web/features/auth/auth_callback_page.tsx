import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { CircleCheck, MailWarning } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { Input } from "../../components/input.tsx";
import { Loader } from "../../components/loader.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";
import { browserStore } from "../../lib/storage.ts";
import { pendingInvitation } from "../invite/pending_invitation.ts";
import { AuthLayout } from "./auth_layout.tsx";

/**
 * `/auth/callback`: where the confirmation email lands. supabase-js has
 * already exchanged the link for a session (or the server reported why not).
 */
export function AuthCallbackPage(): JSX.Element {
  const { session } = useApp();
  const status = session.status.value;
  const redirect = session.redirect;
  const [email, setEmail] = useState("");
  const [resend, setResend] = useState<"idle" | "sending" | "sent">("idle");
  const [error, setError] = useState<string | null>(null);

  async function resendLink(event: Event): Promise<void> {
    event.preventDefault();
    setResend("sending");
    setError(null);
    try {
      await session.resendConfirmation(email);
      setResend("sent");
    } catch (cause) {
      setError(errorMessage(cause));
      setResend("idle");
    }
  }

  if (status === "loading") {
    return (
      <AuthLayout title="Confirming your email">
        <Loader label="Confirming your email address" />
      </AuthLayout>
    );
  }
  if (redirect.error) {
    return (
      <AuthLayout
        title="This link can't be used"
        subtitle="Confirmation links expire after a while and work only once."
      >
        <form onSubmit={resendLink} class="space-y-4">
          <Alert tone="warning" title="We couldn't confirm your email">{redirect.error}</Alert>
          {error && <Alert tone="error">{error}</Alert>}
          {resend === "sent" && (
            <Alert tone="success">A new link is on its way. Check your inbox.</Alert>
          )}
          <Input
            label="Your email"
            type="email"
            autoComplete="email"
            value={email}
            onValue={setEmail}
            required
          />
          <div class="flex flex-wrap gap-2">
            <Button type="submit" loading={resend === "sending"}>Send a new link</Button>
            <Button variant="ghost" href="/login">Sign in instead</Button>
          </div>
        </form>
      </AuthLayout>
    );
  }
  if (status === "signed_in") {
    return (
      <AuthLayout title="Email confirmed">
        <EmptyState
          icon={CircleCheck}
          title="You're all set"
          description={
            <>
              <strong class="font-semibold text-fg">{session.user.value?.email}</strong>{" "}
              is confirmed. Your organization is ready.
            </>
          }
          action={
            <Button href={pendingInvitation(browserStore()).get() ? "/invite" : "/app"} size="lg">
              Continue to ComplianceIQ
            </Button>
          }
          class="rounded-lg border border-line bg-surface"
        />
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Nothing to confirm">
      <EmptyState
        icon={MailWarning}
        title="Open the link from your email"
        description="This page confirms your address when you arrive from the link we sent you."
        action={<Button href="/login">Go to sign in</Button>}
        class="rounded-lg border border-line bg-surface"
      />
    </AuthLayout>
  );
}
