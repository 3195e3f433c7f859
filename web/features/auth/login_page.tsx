import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Input } from "../../components/input.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";
import { AuthLayout } from "./auth_layout.tsx";
import { PasswordField } from "./password_field.tsx";

/** `/login`: email and password sign-in. The route guard moves a signed-in user on. */
export function LoginPage(): JSX.Element {
  const { session } = useApp();
  const { query } = useLocation();
  const [email, setEmail] = useState(query.email ?? "");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const notice = session.notice.value;

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.signIn(email, password);
    } catch (cause) {
      setError(errorMessage(cause));
      setBusy(false);
    }
  }

  return (
    <AuthLayout
      title="Sign in to ComplianceIQ"
      subtitle="Welcome back. Your compliance posture is waiting."
      footer={
        <p>
          New to ComplianceIQ?{" "}
          <a href="/signup" class="font-medium text-accent-text hover:underline">
            Create an account
          </a>
        </p>
      }
    >
      <form onSubmit={submit} class="space-y-5">
        {notice && !error && <Alert tone="warning">{notice}</Alert>}
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
        <div class="space-y-2">
          <PasswordField
            label="Password"
            value={password}
            onValue={setPassword}
            autoComplete="current-password"
          />
          <div class="text-right">
            <a href="/forgot-password" class="text-sm font-medium text-accent-text hover:underline">
              Forgot your password?
            </a>
          </div>
        </div>
        <Button type="submit" size="lg" class="w-full" loading={busy}>
          Sign in
        </Button>
      </form>
    </AuthLayout>
  );
}
