import type { ComponentType, JSX } from "preact";
import { useEffect } from "preact/hooks";
import { LocationProvider, Route, Router, useLocation } from "preact-iso";
import { EmptyState } from "../components/empty_state.tsx";
import { ErrorBoundary } from "../components/error_boundary.tsx";
import { Loader } from "../components/loader.tsx";
import { Button } from "../components/button.tsx";
import { ToastRegion } from "../components/toast.tsx";
import { AuthCallbackPage } from "../features/auth/auth_callback_page.tsx";
import { ForgotPasswordPage } from "../features/auth/forgot_password_page.tsx";
import { LoginPage } from "../features/auth/login_page.tsx";
import { ResetPasswordPage } from "../features/auth/reset_password_page.tsx";
import { SignupPage } from "../features/auth/signup_page.tsx";
import { ApiReferencePage } from "../features/api_reference/api_reference_page.tsx";
import { InvitePage } from "../features/invite/invite_page.tsx";
import { LandingPage } from "../features/landing/landing_page.tsx";
import { AppArea } from "./app_shell.tsx";
import { Redirect } from "./redirect.tsx";
import { AppContext, type AppServices, useApp } from "./services.ts";

/**
 * Where a signed-in user goes from a guest page: `?next=` when it stays in the
 * app (or is the invitation page), else `/app`.
 */
export function nextPath(next: string | undefined): string {
  if (next === "/invite" || next === "/invite?accept=1") return next;
  return next && next.startsWith("/app") && !next.startsWith("//") ? next : "/app";
}

/** Pages for signed-out users (sign in, sign up, forgot password): a signed-in user moves on. */
function guestOnly(Page: ComponentType, title: string): ComponentType {
  return function GuestRoute(): JSX.Element {
    const { session } = useApp();
    const { query } = useLocation();
    useEffect(() => {
      document.title = `${title} · ComplianceIQ`;
    }, []);
    const status = session.status.value;
    if (status === "loading") return <Loader label="Loading ComplianceIQ" class="min-h-screen" />;
    if (status === "signed_in") return <Redirect to={nextPath(query.next)} />;
    return <Page />;
  };
}

function titled(Page: ComponentType, title: string): ComponentType {
  return function TitledRoute(): JSX.Element {
    useEffect(() => {
      document.title = title;
    }, []);
    return <Page />;
  };
}

const Landing = titled(LandingPage, "ComplianceIQ · Continuous compliance for ServiceNow");
const Login = guestOnly(LoginPage, "Sign in");
const Signup = guestOnly(SignupPage, "Create your account");
const Forgot = guestOnly(ForgotPasswordPage, "Reset your password");
const Reset = titled(ResetPasswordPage, "Choose a new password · ComplianceIQ");
const Callback = titled(AuthCallbackPage, "Confirm your email · ComplianceIQ");
const Invite = titled(InvitePage, "Your invitation · ComplianceIQ");
const ApiReference = titled(ApiReferencePage, "API reference · ComplianceIQ");
const NotFound = titled(function NotFoundPage(): JSX.Element {
  return (
    <main id="main" class="flex min-h-screen items-center justify-center p-6">
      <EmptyState
        titleAs="h1"
        title="Page not found"
        description="The link may be outdated, or the page moved."
        action={<Button href="/">Go to the home page</Button>}
      />
    </main>
  );
}, "Page not found · ComplianceIQ");

function Toasts(): JSX.Element {
  const { toasts } = useApp();
  return <ToastRegion toasts={toasts.toasts.value} onDismiss={toasts.dismiss} />;
}

/**
 * The root component: provides the services, the router and the error boundary.
 *
 * @param props the app services, from `createAppServices`
 */
export function App({ services }: { services: AppServices }): JSX.Element {
  return (
    <AppContext.Provider value={services}>
      <LocationProvider>
        <ErrorBoundary>
          <Router>
            <Route path="/" component={Landing} />
            <Route path="/login" component={Login} />
            <Route path="/signup" component={Signup} />
            <Route path="/forgot-password" component={Forgot} />
            <Route path="/reset-password" component={Reset} />
            <Route path="/auth/callback" component={Callback} />
            <Route path="/invite" component={Invite} />
            <Route path="/api-reference" component={ApiReference} />
            <Route path="/app" component={AppArea} />
            <Route path="/app/*" component={AppArea} />
            <Route default component={NotFound} />
          </Router>
        </ErrorBoundary>
        <Toasts />
      </LocationProvider>
    </AppContext.Provider>
  );
}
