import { computed, type ReadonlySignal, signal } from "@preact/signals";
import type { AuthChangeEvent, Session, SupabaseClient, User } from "@supabase/supabase-js";
import { toAuthError } from "./auth_errors.ts";

/** The supabase-js auth methods the app uses (tests pass a fake with the same shape). */
export type AuthApi = Pick<
  SupabaseClient["auth"],
  | "onAuthStateChange"
  | "getSession"
  | "refreshSession"
  | "signInWithPassword"
  | "signUp"
  | "signOut"
  | "resetPasswordForEmail"
  | "updateUser"
  | "resend"
>;

/** What an email link brought back in the URL fragment, read before supabase-js clears it. */
export interface AuthRedirect {
  /** "signup", "recovery", "invite", "magiclink", "email_change", or null without a link. */
  type: string | null;
  /** The auth server's explanation when the link was refused (expired, already used). */
  error: string | null;
  errorCode: string | null;
}

/**
 * Reads an auth redirect (`#access_token=…&type=signup` or `#error=…`) from a URL.
 * Call it before creating the supabase client, which consumes the fragment.
 *
 * @param href the page URL
 */
export function readAuthRedirect(href: string): AuthRedirect {
  const hash = new URL(href).hash.replace(/^#/, "");
  const params = new URLSearchParams(hash);
  const error = params.get("error_description") ?? params.get("error");
  return {
    type: params.get("type"),
    error: error ? error.replaceAll("+", " ") : null,
    errorCode: params.get("error_code"),
  };
}

/** Sign-up form data. */
export interface SignUpInput {
  email: string;
  password: string;
  /** The organization the account starts with; absent when joining through an invitation. */
  organizationName?: string;
}

/** The signed-in state and every auth action of the app. */
export interface SessionModel {
  /** "loading" until supabase-js has restored (or not) a session. */
  status: ReadonlySignal<"loading" | "signed_in" | "signed_out">;
  session: ReadonlySignal<Session | null>;
  user: ReadonlySignal<User | null>;
  /** Set when the user arrived through a password-recovery link. */
  recovering: ReadonlySignal<boolean>;
  /** Why the user was sent to the login page (e.g. the session expired), shown there once. */
  notice: ReadonlySignal<string | null>;
  /** The email link this page load came from, if any. */
  redirect: AuthRedirect;
  signIn(email: string, password: string): Promise<void>;
  /** Resolves to whether the email must be confirmed before signing in. */
  signUp(input: SignUpInput): Promise<{ needsConfirmation: boolean }>;
  signOut(): Promise<void>;
  requestPasswordReset(email: string): Promise<void>;
  resendConfirmation(email: string): Promise<void>;
  updatePassword(password: string): Promise<void>;
  /** The current access token (refreshed by supabase-js when near expiry). */
  accessToken(): Promise<string | null>;
  /** Forces a refresh; null when the session cannot be renewed. */
  refreshAccessToken(): Promise<string | null>;
  /** Ends the local session after the API refused it, with a notice for the login page. */
  expire(notice?: string): void;
  clearNotice(): void;
  /** Starts listening to supabase-js; returns the unsubscribe function. */
  start(): () => void;
}

/**
 * Creates the session model over supabase-js auth. Every action throws a
 * `UserFacingError` with a message ready to show.
 *
 * @param auth supabase-js `client.auth`
 * @param options the app origin (for email links) and the redirect read at start
 */
export function createSessionModel(
  auth: AuthApi,
  options: { origin: string; redirect?: AuthRedirect },
): SessionModel {
  const session = signal<Session | null>(null);
  const status = signal<"loading" | "signed_in" | "signed_out">("loading");
  const recovering = signal(options.redirect?.type === "recovery");
  const notice = signal<string | null>(null);
  const user = computed(() => session.value?.user ?? null);

  function apply(event: AuthChangeEvent, next: Session | null): void {
    session.value = next;
    status.value = next ? "signed_in" : "signed_out";
    if (event === "PASSWORD_RECOVERY") recovering.value = true;
    if (event === "SIGNED_OUT") recovering.value = false;
  }

  return {
    status,
    session,
    user,
    recovering,
    notice,
    redirect: options.redirect ?? { type: null, error: null, errorCode: null },
    start() {
      const { data } = auth.onAuthStateChange((event, next) => apply(event, next));
      return () => data.subscription.unsubscribe();
    },
    async signIn(email, password) {
      const { error } = await auth.signInWithPassword({ email: email.trim(), password });
      if (error) throw toAuthError(error, "sign in");
      notice.value = null;
    },
    async signUp(input) {
      const { data, error } = await auth.signUp({
        email: input.email.trim(),
        password: input.password,
        options: {
          data: input.organizationName?.trim()
            ? { organization_name: input.organizationName.trim() }
            : {},
          emailRedirectTo: `${options.origin}/auth/callback`,
        },
      });
      if (error) throw toAuthError(error, "create your account");
      return { needsConfirmation: data.session === null };
    },
    async signOut() {
      const { error } = await auth.signOut({ scope: "local" });
      // A failed server-side logout still ends the session here.
      if (error) apply("SIGNED_OUT", null);
    },
    async requestPasswordReset(email) {
      const { error } = await auth.resetPasswordForEmail(email.trim(), {
        redirectTo: `${options.origin}/reset-password`,
      });
      if (error) throw toAuthError(error, "send the reset email");
    },
    async resendConfirmation(email) {
      const { error } = await auth.resend({
        type: "signup",
        email: email.trim(),
        options: { emailRedirectTo: `${options.origin}/auth/callback` },
      });
      if (error) throw toAuthError(error, "resend the confirmation email");
    },
    async updatePassword(password) {
      const { error } = await auth.updateUser({ password });
      if (error) throw toAuthError(error, "update your password");
      recovering.value = false;
    },
    async accessToken() {
      const { data } = await auth.getSession();
      return data.session?.access_token ?? null;
    },
    async refreshAccessToken() {
      const { data, error } = await auth.refreshSession();
      return error ? null : data.session?.access_token ?? null;
    },
    expire(message = "Your session has expired. Sign in again to continue.") {
      notice.value = message;
      void auth.signOut({ scope: "local" }).finally(() => apply("SIGNED_OUT", null));
    },
    clearNotice() {
      notice.value = null;
    },
  };
}
