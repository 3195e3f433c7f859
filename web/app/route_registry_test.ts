import assert from "node:assert/strict";
import { Settings, Users } from "lucide";
import { type AppRoute, buildNav, defaultAppPath, matchRoute } from "./route_registry.ts";
import { APP_ROUTES } from "./routes.tsx";

const Page = () => null;
const ROUTES: AppRoute[] = [
  {
    path: "/settings",
    title: "Settings",
    component: Page,
    nav: { label: "Settings", icon: Settings, section: "organization", order: 20 },
  },
  {
    path: "/team",
    title: "Team",
    component: Page,
    nav: { label: "Team", icon: Users, section: "organization", order: 10 },
  },
  { path: "/instances/:id", title: "Instance", component: Page },
  {
    path: "/billing",
    title: "Billing",
    component: Page,
    minRole: "owner",
    nav: { label: "Billing", icon: Settings, section: "organization", order: 30 },
  },
  {
    path: "/design-system",
    title: "Design system",
    component: Page,
    enabled: (c) => c.devMode,
    nav: { label: "Design system", icon: Settings, section: "developer", order: 1 },
  },
];

Deno.test("buildNav() groups, orders and filters routes by role and mode", () => {
  const viewer = buildNav(ROUTES, { role: "viewer", devMode: false }, "/app/team");
  assert.deepEqual(viewer.map((s) => s.title), ["Organization"]);
  assert.deepEqual(viewer[0]?.items.map((i) => [i.label, i.href, i.active]), [
    ["Team", "/app/team", true],
    ["Settings", "/app/settings", false],
  ]);
  const owner = buildNav(ROUTES, { role: "owner", devMode: true }, "/app/settings");
  assert.deepEqual(owner.map((s) => s.items.map((i) => i.label)), [
    ["Team", "Settings", "Billing"],
    ["Design system"],
  ]);
});

Deno.test("buildNav() marks only the most specific entry of a nested page active", () => {
  const nested: AppRoute[] = [...ROUTES, {
    path: "/settings/api-keys",
    title: "API keys",
    component: Page,
    nav: { label: "API keys", icon: Settings, section: "organization", order: 25 },
  }];
  const active = (path: string) =>
    buildNav(nested, { role: "owner", devMode: false }, path)
      .flatMap((s) => s.items.filter((i) => i.active).map((i) => i.label));
  assert.deepEqual(active("/app/settings/api-keys"), ["API keys"]);
  assert.deepEqual(active("/app/settings"), ["Settings"]);
  assert.deepEqual(active("/app/settings/other"), ["Settings"]);
});

Deno.test("defaultAppPath() falls back to the first sidebar entry when no page claims the start", () => {
  assert.equal(defaultAppPath(ROUTES, { role: "viewer", devMode: false }), "/app/team");
});

Deno.test("defaultAppPath() picks the lowest-ranked start page whose condition holds, not the sidebar order", () => {
  const withStarts: AppRoute[] = [
    ...ROUTES,
    {
      path: "/reports",
      title: "Reports",
      component: Page,
      nav: { label: "Reports", icon: Users, section: "monitor", order: 0 },
    },
    {
      path: "/analysis",
      title: "Analysis",
      component: Page,
      nav: { label: "Analysis", icon: Users, section: "analyze", order: 10 },
      start: { rank: 10, when: (facts) => facts.hasInstances },
    },
    {
      path: "/instances",
      title: "Instances",
      component: Page,
      nav: { label: "Instances", icon: Users, section: "monitor", order: 40 },
      start: { rank: 20 },
    },
  ];
  const viewer = { role: "viewer", devMode: false } as const;
  // A page added first in the sidebar does not move the start page.
  assert.equal(defaultAppPath(withStarts, viewer, { hasInstances: true }), "/app/analysis");
  assert.equal(defaultAppPath(withStarts, viewer, { hasInstances: false }), "/app/instances");
  // Facts unknown (they failed to load): conditional start pages are skipped.
  assert.equal(defaultAppPath(withStarts, viewer), "/app/instances");
  // A start page the role may not open is skipped.
  const ownerOnly = withStarts.map((r) =>
    r.path === "/analysis" ? { ...r, minRole: "owner" as const } : r
  );
  assert.equal(defaultAppPath(ownerOnly, viewer, { hasInstances: true }), "/app/instances");
});

Deno.test("the app opens on the Dashboard, which guides an organization without instances", () => {
  for (const role of ["viewer", "analyst", "admin", "owner"] as const) {
    const context = { role, devMode: true };
    assert.equal(defaultAppPath(APP_ROUTES, context, { hasInstances: true }), "/app/dashboard");
    assert.equal(defaultAppPath(APP_ROUTES, context, { hasInstances: false }), "/app/dashboard");
    assert.equal(defaultAppPath(APP_ROUTES, context), "/app/dashboard");
  }
});

Deno.test("matchRoute() matches static and parameter segments", () => {
  assert.equal(matchRoute(ROUTES, "/team")?.title, "Team");
  assert.equal(matchRoute(ROUTES, "/instances/42")?.title, "Instance");
  assert.equal(matchRoute(ROUTES, "/instances"), undefined);
  assert.equal(matchRoute(ROUTES, "/nope"), undefined);
});
