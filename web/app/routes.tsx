import { lazy } from "preact-iso";
import {
  BellRing,
  CreditCard,
  FileText,
  KeyRound,
  LayoutDashboard,
  LayoutTemplate,
  Puzzle,
  ScrollText,
  Server,
  Settings,
  ShieldCheck,
  TrendingUp,
  Users,
} from "lucide";
import { minimumRole } from "../../shared/permissions/mod.ts";
import type { AppRoute } from "./route_registry.ts";

/**
 * The pages of the signed-in app. To add a page: add an entry here with a
 * lazily loaded component and, to show it in the sidebar, a `nav` entry.
 *
 * The start page (where `/app` leads) is chosen by the `start` entries, not by
 * the sidebar order: every organization opens on the Dashboard, which guides
 * one without an instance to connect its first. A new page becomes the start
 * page only by declaring a `start` with a lower rank.
 */
export const APP_ROUTES: ReadonlyArray<AppRoute> = [
  {
    path: "/dashboard",
    title: "Dashboard",
    component: lazy(() =>
      import("../features/dashboard/dashboard_page.tsx").then((m) => m.DashboardPage)
    ),
    nav: { label: "Dashboard", icon: LayoutDashboard, section: "monitor", order: 10 },
    start: { rank: 1 },
  },
  {
    path: "/insights",
    title: "Insights",
    component: lazy(() =>
      import("../features/insights/insights_page.tsx").then((m) => m.InsightsPage)
    ),
    nav: { label: "Insights", icon: TrendingUp, section: "analyze", order: 20 },
  },
  {
    path: "/analysis",
    title: "Analysis",
    component: lazy(() =>
      import("../features/analysis/analysis_page.tsx").then((m) => m.AnalysisPage)
    ),
    nav: { label: "Analysis", icon: ShieldCheck, section: "analyze", order: 10 },
    start: { rank: 10, when: (facts) => facts.hasInstances },
  },
  {
    path: "/widgets",
    title: "Widgets",
    component: lazy(() =>
      import("../features/widgets/widgets_page.tsx").then((m) => m.WidgetsPage)
    ),
    nav: { label: "Widgets", icon: Puzzle, section: "analyze", order: 40 },
  },
  {
    path: "/reports",
    title: "Reports",
    component: lazy(() =>
      import("../features/reports/reports_page.tsx").then((m) => m.ReportsPage)
    ),
    nav: { label: "Reports", icon: FileText, section: "analyze", order: 30 },
  },
  {
    path: "/instances",
    title: "Instances",
    component: lazy(() =>
      import("../features/instances/instances_page.tsx").then((m) => m.InstancesPage)
    ),
    nav: { label: "Instances", icon: Server, section: "monitor", order: 40 },
    start: { rank: 20 },
  },
  {
    path: "/team",
    title: "Team",
    component: lazy(() => import("../features/team/team_page.tsx").then((m) => m.TeamPage)),
    nav: { label: "Team", icon: Users, section: "organization", order: 10 },
  },
  {
    path: "/settings",
    title: "Settings",
    component: lazy(() =>
      import("../features/settings/settings_page.tsx").then((m) => m.SettingsPage)
    ),
    nav: { label: "Settings", icon: Settings, section: "organization", order: 20 },
  },
  {
    path: "/settings/api-keys",
    title: "API keys",
    component: lazy(() =>
      import("../features/api_keys/api_keys_page.tsx").then((m) => m.ApiKeysPage)
    ),
    nav: { label: "API keys", icon: KeyRound, section: "organization", order: 30 },
    minRole: minimumRole("api_keys.read"),
  },
  {
    path: "/settings/notifications",
    title: "Notifications",
    component: lazy(() =>
      import("../features/notifications/notification_settings_page.tsx").then((m) =>
        m.NotificationSettingsPage
      )
    ),
    nav: { label: "Notifications", icon: BellRing, section: "organization", order: 32 },
    minRole: minimumRole("notifications.read"),
  },
  {
    path: "/settings/notifications/preferences",
    title: "My notifications",
    component: lazy(() =>
      import("../features/notifications/preferences_page.tsx").then((m) => m.PreferencesPage)
    ),
  },
  {
    path: "/billing",
    title: "Billing",
    component: lazy(() =>
      import("../features/billing/billing_page.tsx").then((m) => m.BillingPage)
    ),
    nav: { label: "Billing", icon: CreditCard, section: "organization", order: 25 },
  },
  {
    path: "/settings/audit",
    title: "Audit log",
    component: lazy(() => import("../features/audit/audit_page.tsx").then((m) => m.AuditPage)),
    nav: { label: "Audit log", icon: ScrollText, section: "organization", order: 35 },
    minRole: "auditor",
  },
  {
    path: "/design-system",
    title: "Design system",
    component: lazy(() => import("../features/design/design_page.tsx").then((m) => m.DesignPage)),
    nav: { label: "Design system", icon: LayoutTemplate, section: "developer", order: 10 },
    // A living style guide of the component library, on the local dev stack only.
    enabled: (context) => context.devMode,
  },
];
