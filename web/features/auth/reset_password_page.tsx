import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { KeyRound } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { Loader } from "../../components/loader.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { passwordStrength } from "../../lib/password.ts";
import { useApp } from "../../app/services.ts";
import { AuthLayout } from "./auth_layout.tsx";
import { PasswordField } from "./password_field.tsx";

/**
 * `/reset-password`: the target of the reset email. supabase-js turns the
 * link's fragment into a recovery session; the user then picks a new password.
 */
export function ResetPasswordPage(): JSX.Element {
  const { session, toasts } = useApp();
  const { route } = useLocation();
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [confirmError, setConfirmError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const status = session.status.value;
  const email = session.user.value?.email ?? "";

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    setError(null);
    const strength = passwordStrength(password, email.split(/[@.+_-]/));
    setFieldError(strength.acceptable ? null : strength.hints[0] ?? "Choose a stronger password.");
    setConfirmError(password === confirm ? null : "The two passwords don't match.");
    if (!strength.acceptable || password !== confirm) return;
    setBusy(true);
    try {
      await session.updatePassword(password);
      toasts.success("Password updated", "Use your new password next time you sign in.");
      route("/app", true);
    } catch (cause) {
      setError(errorMessage(cause));
      setBusy(false);
    }
  }

  if (status === "loading") {
    return (
      <AuthLayout title="Reset your password">
        <Loader label="Checking your reset link" />
      </AuthLayout>
    );
  }
  if (session.redirect.error || status === "signed_out") {
    return (
      <AuthLayout title="Reset your password">
        <EmptyState
          tone="error"
          icon={KeyRound}
          title="This reset link can't be used"
          description={session.redirect.error
            ? "It has expired or was already used. Ask for a new one; it arrives within a minute."
            : "Open the link from your reset email, or ask for a new one."}
          action={<Button href="/forgot-password">Send a new link</Button>}
          class="rounded-lg border border-line bg-surface"
        />
      </AuthLayout>
    );
  }
  return (
    <AuthLayout
      title="Choose a new password"
      subtitle={email
        ? (
          <>
            For <strong class="font-semibold text-fg">{email}</strong>.
          </>
        )
        : undefined}
    >
      <form onSubmit={submit} class="space-y-5">
        {error && <Alert tone="error">{error}</Alert>}
        <PasswordField
          label="New password"
          name="new-password"
          value={password}
          onValue={(value) => {
            setPassword(value);
            setFieldError(null);
          }}
          autoComplete="new-password"
          showStrength
          context={email.split(/[@.+_-]/)}
          error={fieldError}
        />
        <PasswordField
          label="Confirm new password"
          name="confirm-password"
          value={confirm}
          onValue={(value) => {
            setConfirm(value);
            setConfirmError(null);
          }}
          autoComplete="new-password"
          error={confirmError}
        />
        <Button type="submit" size="lg" class="w-full" loading={busy}>
          Update password
        </Button>
      </form>
    </AuthLayout>
  );
}
