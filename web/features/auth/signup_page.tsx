import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { MailCheck } from "lucide";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Icon } from "../../components/icon.tsx";
import { Input } from "../../components/input.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { passwordStrength } from "../../lib/password.ts";
import { useApp } from "../../app/services.ts";
import { AuthLayout } from "./auth_layout.tsx";
import { CheckInbox } from "./check_inbox.tsx";
import { PasswordField } from "./password_field.tsx";

/**
 * `/signup`: creates the account and its organization in one step (the
 * backend makes the user the organization's owner). Without email
 * auto-confirmation it then asks the user to open the link we sent.
 * From an invitation (`?invitation=1&email=…`) no organization is created:
 * the invitation page takes over once the account exists.
 */
export function SignupPage(): JSX.Element {
  const { session } = useApp();
  const { query } = useLocation();
  const invited = query.invitation === "1";
  const [organizationName, setOrganizationName] = useState("");
  const [email, setEmail] = useState(query.email ?? "");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [passwordError, setPasswordError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const emailWords = email.split(/[@.+_-]/);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    setError(null);
    const strength = passwordStrength(password, [...emailWords, organizationName]);
    if (!strength.acceptable) {
      setPasswordError(strength.hints[0] ?? "Choose a stronger password.");
      return;
    }
    setPasswordError(null);
    setBusy(true);
    try {
      const result = await session.signUp({
        email,
        password,
        organizationName: invited ? undefined : organizationName,
      });
      if (result.needsConfirmation) setSentTo(email.trim());
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  }

  if (sentTo) {
    return (
      <AuthLayout title="Check your inbox" subtitle="One more step to secure your account.">
        <CheckInbox
          email={sentTo}
          purpose="confirm your email address and open your workspace"
          onResend={() => session.resendConfirmation(sentTo)}
        />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title={invited ? "Create your account to join" : "Create your ComplianceIQ account"}
      subtitle={invited
        ? "Use the address your invitation was sent to. You join the organization next."
        : "Start with your organization. You can invite your team once you're in."}
      footer={
        <p>
          Already have an account?{" "}
          <a
            href={invited ? "/login?next=/invite" : "/login"}
            class="font-medium text-accent-text hover:underline"
          >
            Sign in
          </a>
        </p>
      }
    >
      <form onSubmit={submit} class="space-y-5">
        {error && <Alert tone="error">{error}</Alert>}
        {!invited && (
          <Input
            label="Organization name"
            name="organization"
            autoComplete="organization"
            value={organizationName}
            onValue={setOrganizationName}
            required
            maxLength={100}
            hint="Usually your company's name. You can change it later."
          />
        )}
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
        <PasswordField
          label="Password"
          value={password}
          onValue={(value) => {
            setPassword(value);
            setPasswordError(null);
          }}
          autoComplete="new-password"
          showStrength
          context={[...emailWords, organizationName]}
          error={passwordError}
        />
        <Button type="submit" size="lg" class="w-full" loading={busy}>
          Create account
        </Button>
        <p class="flex items-start gap-2 text-xs text-fg-muted">
          <Icon icon={MailCheck} class="mt-0.5 size-3.5" />
          {invited
            ? "We'll email you a link to confirm your address if your workspace asks for it."
            : "We'll email you a link to confirm your address. You become the owner of the new organization."}
        </p>
      </form>
    </AuthLayout>
  );
}
