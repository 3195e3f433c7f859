import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { Route, Router, useLocation } from "preact-iso";
import { Building2, LogOut, RefreshCw, ShieldOff } from "lucide";
import { Button } from "../components/button.tsx";
import { EmptyState } from "../components/empty_state.tsx";
import { ErrorBoundary } from "../components/error_boundary.tsx";
import { Icon } from "../components/icon.tsx";
import { Layout, PageHeader } from "../components/layout.tsx";
import { Loader } from "../components/loader.tsx";
import { Menu } from "../components/menu.tsx";
import { Navbar } from "../components/navbar.tsx";
import { Sidebar } from "../components/sidebar.tsx";
import { Drawer } from "../components/drawer.tsx";
import { Badge } from "../components/badge.tsx";
import { CreateOrgModal } from "../features/orgs/create_org_modal.tsx";
import { BillingBanner } from "../features/billing/billing_banner.tsx";
import { NotificationBell } from "../features/notifications/notification_bell.tsx";
import { OrgSwitcher } from "../features/orgs/org_switcher.tsx";
import { ROLE_LABELS } from "../features/team/team_rules.ts";
import { initials } from "../lib/format.ts";
import { Redirect } from "./redirect.tsx";
import {
  APP_BASE,
  buildNav,
  matchRoute,
  routeAllowed,
  type RouteContext,
} from "./route_registry.ts";
import { APP_ROUTES } from "./routes.tsx";
import { useApp } from "./services.ts";
import { StartPage } from "./start_page.tsx";
import { ThemeToggle } from "./theme_toggle.tsx";

/** Everything under `/app`: requires a session and an organization, then renders the shell. */
export function AppArea(): JSX.Element {
  const { session, orgs } = useApp();
  const { path, url } = useLocation();
  const status = session.status.value;
  if (status === "loading") return <Loader label="Loading ComplianceIQ" class="min-h-screen" />;
  if (status === "signed_out") return <Redirect to={`/login?next=${encodeURIComponent(url)}`} />;
  const orgStatus = orgs.status.value;
  if (orgStatus === "idle" || (orgStatus === "loading" && orgs.orgs.value.length === 0)) {
    return <Loader label="Loading your organizations" class="min-h-screen" />;
  }
  if (orgStatus === "error") {
    return (
      <div class="flex min-h-screen items-center justify-center p-6">
        <EmptyState
          titleAs="h1"
          tone="error"
          title="We couldn't load your organizations"
          description={orgs.error.value}
          action={<Button icon={RefreshCw} onClick={() => orgs.reload()}>Try again</Button>}
        />
      </div>
    );
  }
  if (!orgs.current.value) return <NoOrganization />;
  return <AppShell path={path} />;
}

function AppShell({ path }: { path: string }): JSX.Element {
  const { orgs, config, session } = useApp();
  const org = orgs.current.value!;
  const context: RouteContext = { role: org.role, devMode: config.devMailbox };
  const relative = path.slice(APP_BASE.length) || "/";
  const route = matchRoute(APP_ROUTES, relative);
  const [menuOpen, setMenuOpen] = useState(false);
  const main = useRef<string | null>(null);

  useEffect(() => {
    document.title = `${route?.title ?? "Not found"} · ${org.name} · ComplianceIQ`;
  }, [route, org.name]);

  useEffect(() => {
    setMenuOpen(false);
    // After an in-app navigation, move focus to the new page so screen readers announce it.
    if (main.current !== null && main.current !== path) {
      document.querySelector<HTMLElement>("#main")?.focus({ preventScroll: true });
    }
    main.current = path;
  }, [path]);

  if (relative === "/") return <StartPage orgId={org.id} context={context} />;

  const sections = buildNav(APP_ROUTES, context, path);
  const sidebar = (
    <Sidebar
      sections={sections}
      footer={
        <div class="flex items-center justify-between gap-2 px-1 text-xs text-fg-muted">
          <span class="truncate">{org.name}</span>
          <Badge tone="brand" class="capitalize">{org.plan}</Badge>
        </div>
      }
    />
  );

  return (
    <Layout
      sidebar={sidebar}
      navbar={
        <Navbar title={route?.title ?? "Not found"} onOpenMenu={() => setMenuOpen(true)}>
          <OrgSwitcher />
          <NotificationBell orgId={org.id} />
          <ThemeToggle />
          <Menu
            menuLabel="Account"
            triggerClass="flex size-8 items-center justify-center rounded-full bg-accent-soft text-xs font-semibold uppercase text-accent-text hover:ring-2 hover:ring-line"
            trigger={
              <>
                <span aria-hidden="true">{initials(displayName(session.user.value))}</span>
                <span class="sr-only">Account: {session.user.value?.email}</span>
              </>
            }
            groups={[
              {
                heading: `${session.user.value?.email ?? ""} · ${ROLE_LABELS[org.role]}`,
                items: [{
                  id: "sign-out",
                  label: "Sign out",
                  icon: LogOut,
                  onSelect: () => void session.signOut(),
                }],
              },
            ]}
          />
        </Navbar>
      }
    >
      <Drawer
        open={menuOpen}
        onClose={() => setMenuOpen(false)}
        title="Navigation"
        hideTitle
        side="left"
      >
        {sidebar}
      </Drawer>
      <BillingBanner />
      <ErrorBoundary resetKey={path}>
        <div key={org.id}>
          <Router>
            {[
              ...APP_ROUTES.map((r) => (
                <Route
                  key={r.path}
                  path={r.path}
                  component={routeAllowed(r, context) ? r.component : NoAccess}
                />
              )),
              <Route key="404" default component={NotFound} />,
            ]}
          </Router>
        </div>
      </ErrorBoundary>
    </Layout>
  );
}

function displayName(
  user: { email?: string; user_metadata?: Record<string, unknown> } | null,
): string {
  const name = user?.user_metadata?.full_name;
  return typeof name === "string" && name.trim() ? name : user?.email ?? "?";
}

function NoAccess(): JSX.Element {
  return (
    <EmptyState
      titleAs="h1"
      icon={ShieldOff}
      title="You don't have access to this page"
      description="Your role in this organization doesn't include it. Ask an admin or owner if you need access."
      action={<Button href={APP_BASE} variant="secondary">Go to the start page</Button>}
    />
  );
}

function NotFound(): JSX.Element {
  return (
    <EmptyState
      titleAs="h1"
      title="Page not found"
      description="The link may be outdated, or the page moved."
      action={<Button href={APP_BASE} variant="secondary">Go to the start page</Button>}
    />
  );
}

function NoOrganization(): JSX.Element {
  const { session } = useApp();
  const [creating, setCreating] = useState(false);
  return (
    <main
      id="main"
      tabIndex={-1}
      class="mx-auto flex min-h-screen max-w-lg flex-col justify-center px-4"
    >
      <PageHeader
        title="You're not in an organization"
        description="You left your last organization, or were removed from it. Create a new one, or ask an admin to add you to theirs."
      />
      <div class="flex flex-wrap gap-2">
        <Button icon={Building2} onClick={() => setCreating(true)}>Create organization</Button>
        <Button variant="secondary" onClick={() => void session.signOut()}>
          <Icon icon={LogOut} /> Sign out
        </Button>
      </div>
      <CreateOrgModal open={creating} onClose={() => setCreating(false)} />
    </main>
  );
}
