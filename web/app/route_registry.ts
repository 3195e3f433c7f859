import type { ComponentType } from "preact";
import type { IconNode } from "lucide";
import type { Role } from "../lib/api_types.ts";
import type { SidebarSection } from "../components/sidebar.tsx";
import { roleAtLeast } from "../features/team/team_rules.ts";

/** Where the app's pages live: every in-app route is under this prefix. */
export const APP_BASE = "/app";

/** Sidebar sections, in display order. A route names one by id. */
export const NAV_SECTIONS = [
  { id: "monitor", title: "Monitor" },
  { id: "analyze", title: "Analyze" },
  { id: "organization", title: "Organization" },
  { id: "developer", title: "Developer" },
] as const;

/** Id of a sidebar section. */
export type NavSectionId = typeof NAV_SECTIONS[number]["id"];

/** What decides whether a route is offered. */
export interface RouteContext {
  /** The user's role in the current organization. */
  role: Role | null;
  /** True on the local dev stack. */
  devMode: boolean;
}

/**
 * What the start page depends on besides role and mode: facts about the
 * organization, loaded when `/app` opens.
 */
export interface StartFacts {
  /** Whether the organization has at least one ServiceNow instance. */
  hasInstances: boolean;
}

/**
 * One page of the signed-in app. Later features add a page by adding one entry
 * to `routes.tsx`: the router, the sidebar and the start page all read this list.
 */
export interface AppRoute {
  /** Path under {@linkcode APP_BASE}, e.g. "/team" or "/instances/:id". */
  path: string;
  /** Page title (document title and navbar). */
  title: string;
  /** The page; use `lazy()` so it loads only when visited. */
  component: ComponentType<Record<string, unknown>>;
  /** Present when the page appears in the sidebar. */
  nav?: { label: string; icon: IconNode; section: NavSectionId; order: number };
  /** Least role that may open the page (others see a "no access" page). */
  minRole?: Role;
  /** Feature switch, e.g. pages shown only on the dev stack. */
  enabled?: (context: RouteContext) => boolean;
  /**
   * Offers the page as the start page, where `/app` leads (after sign-in, sign-up,
   * an email link). Among the allowed routes whose `when` holds for the
   * organization, the lowest `rank` wins; when none does, the first sidebar
   * entry. A page without `start` never becomes the start page by being added.
   * Only for paths without parameters.
   */
  start?: { rank: number; when?: (facts: StartFacts) => boolean };
}

/**
 * Whether `route` is open to the user in `context`.
 *
 * @param route the route
 * @param context role and mode
 */
export function routeAllowed(route: AppRoute, context: RouteContext): boolean {
  if (route.enabled && !route.enabled(context)) return false;
  if (route.minRole && (!context.role || !roleAtLeast(context.role, route.minRole))) return false;
  return true;
}

/**
 * The sidebar for `context`: allowed routes with a nav entry, grouped by
 * section and ordered; `currentPath` marks the active link.
 *
 * @param routes the registry
 * @param context role and mode
 * @param currentPath the location's path, e.g. "/app/team"
 */
export function buildNav(
  routes: ReadonlyArray<AppRoute>,
  context: RouteContext,
  currentPath: string,
): SidebarSection[] {
  const allowed = routes.filter((route) => route.nav && routeAllowed(route, context));
  // The most specific entry is the active one: on /settings/api-keys, "API keys", not "Settings".
  const active = allowed
    .map((route) => `${APP_BASE}${route.path}`)
    .filter((href) => currentPath === href || currentPath.startsWith(`${href}/`))
    .sort((a, b) => b.length - a.length)[0];
  return NAV_SECTIONS.map((section) => ({
    title: section.title,
    items: allowed
      .filter((route) => route.nav!.section === section.id)
      .sort((a, b) => a.nav!.order - b.nav!.order)
      .map((route) => {
        const href = `${APP_BASE}${route.path}`;
        return { href, label: route.nav!.label, icon: route.nav!.icon, active: href === active };
      }),
  })).filter((section) => section.items.length > 0);
}

/**
 * Where `/app` leads: the allowed route with the lowest `start.rank` whose
 * `start.when` holds for `facts` (routes with a `when` are skipped while the
 * facts are unknown); failing that, the first sidebar entry; failing that, Settings.
 *
 * @param routes the registry
 * @param context role and mode
 * @param facts what is known about the organization
 */
export function defaultAppPath(
  routes: ReadonlyArray<AppRoute>,
  context: RouteContext,
  facts?: StartFacts,
): string {
  const start = routes
    .filter((route) =>
      route.start && routeAllowed(route, context) &&
      (!route.start.when || (facts !== undefined && route.start.when(facts)))
    )
    .sort((a, b) => a.start!.rank - b.start!.rank)[0];
  if (start) return `${APP_BASE}${start.path}`;
  const first = buildNav(routes, context, "")[0]?.items[0];
  return first?.href ?? `${APP_BASE}/settings`;
}

/**
 * The route whose pattern matches `path` (relative to {@linkcode APP_BASE}), if any.
 *
 * @param routes the registry
 * @param path e.g. "/team" or "/instances/42"
 */
export function matchRoute(routes: ReadonlyArray<AppRoute>, path: string): AppRoute | undefined {
  const parts = path.split("/").filter(Boolean);
  return routes.find((route) => {
    const pattern = route.path.split("/").filter(Boolean);
    if (pattern.at(-1) === "*") {
      return pattern.slice(0, -1).every((p, i) => matchSegment(p, parts[i]));
    }
    return pattern.length === parts.length && pattern.every((p, i) => matchSegment(p, parts[i]));
  });
}

function matchSegment(pattern: string, part: string | undefined): boolean {
  return part !== undefined && (pattern.startsWith(":") || pattern === part);
}
