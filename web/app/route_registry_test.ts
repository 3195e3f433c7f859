import assert from "node:assert/strict";
import { Settings, Users } from "lucide";
import { type AppRoute, buildNav, defaultAppPath, matchRoute } from "./route_registry.ts";

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

Deno.test("defaultAppPath() is the first sidebar entry, so a Dashboard added at order 0 becomes the start page", () => {
  assert.equal(defaultAppPath(ROUTES, { role: "viewer", devMode: false }), "/app/team");
  const withDashboard: AppRoute[] = [
    ...ROUTES,
    {
      path: "/dashboard",
      title: "Dashboard",
      component: Page,
      nav: { label: "Dashboard", icon: Users, section: "monitor", order: 0 },
    },
  ];
  assert.equal(defaultAppPath(withDashboard, { role: "viewer", devMode: false }), "/app/dashboard");
});

Deno.test("matchRoute() matches static and parameter segments", () => {
  assert.equal(matchRoute(ROUTES, "/team")?.title, "Team");
  assert.equal(matchRoute(ROUTES, "/instances/42")?.title, "Instance");
  assert.equal(matchRoute(ROUTES, "/instances"), undefined);
  assert.equal(matchRoute(ROUTES, "/nope"), undefined);
});
