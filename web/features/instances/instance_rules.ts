/**
 * What each role may do with instances (mirrors the API's 403s, which stay
 * authoritative), how statuses read, and the schedule presets.
 *
 * @module
 */
import type { BadgeTone } from "../../components/badge.tsx";
import { ApiError, errorMessage } from "../../lib/api_error.ts";
import type { Role } from "../../lib/api_types.ts";
import { can } from "../../../shared/permissions/mod.ts";
import type { AuthType, InstanceStatus, SyncRun, TableAccess } from "./instances_api.ts";

/** Who adds, edits, deletes and schedules instances (admins and owners, per the permission matrix). */
export function canManageInstances(role: Role | null): boolean {
  return can(role, "instances.create") && can(role, "instances.update") &&
    can(role, "instances.delete") && can(role, "instances.schedule");
}

/** Who starts syncs and tests saved connections (analysts and up, per the permission matrix). */
export function canOperateInstances(role: Role | null): boolean {
  return can(role, "instances.sync") && can(role, "instances.test");
}

/** Label and tone of an instance's health. */
export const STATUS: Record<InstanceStatus, { label: string; tone: BadgeTone; hint: string }> = {
  healthy: {
    label: "Healthy",
    tone: "success",
    hint: "Reachable, signed in, every table readable",
  },
  degraded: {
    label: "Degraded",
    tone: "warning",
    hint: "Reachable, but some tables cannot be read by the integration user",
  },
  unreachable: {
    label: "Unreachable",
    tone: "danger",
    hint: "The instance did not answer with the Table API",
  },
  auth_failed: {
    label: "Credentials rejected",
    tone: "danger",
    hint: "The instance refused the saved credentials",
  },
  pending: { label: "Not tested", tone: "neutral", hint: "Run a connection test" },
};

/** Label and tone of a sync run's outcome. */
export const RUN_STATUS: Record<SyncRun["status"], { label: string; tone: BadgeTone }> = {
  queued: { label: "Queued", tone: "neutral" },
  running: { label: "Running", tone: "info" },
  succeeded: { label: "Succeeded", tone: "success" },
  partial: { label: "Partial", tone: "warning" },
  failed: { label: "Failed", tone: "danger" },
  cancelled: { label: "Cancelled", tone: "neutral" },
};

/** How a table's readability reads. */
export const ACCESS: Record<TableAccess, { label: string; tone: BadgeTone }> = {
  readable: { label: "Readable", tone: "success" },
  not_readable: { label: "Not readable", tone: "danger" },
  not_found: { label: "Not on this instance", tone: "neutral" },
  error: { label: "Error", tone: "warning" },
};

/** Authentication types, as the form offers them. */
export const AUTH_TYPES: { value: AuthType; label: string }[] = [
  { value: "basic", label: "Basic (user name and password)" },
  { value: "oauth_client_credentials", label: "OAuth client credentials" },
  { value: "oauth_password", label: "OAuth password grant" },
];

/** Ready-made schedules; "custom" takes a cron expression. */
export const SCHEDULE_PRESETS = [
  { id: "daily", label: "Every day at 02:00", cron: "0 2 * * *" },
  { id: "six_hours", label: "Every 6 hours", cron: "0 */6 * * *" },
  { id: "hourly", label: "Every hour", cron: "0 * * * *" },
  { id: "weekdays", label: "Weekdays at 06:00", cron: "0 6 * * 1-5" },
  { id: "weekly", label: "Sundays at 03:00", cron: "0 3 * * 0" },
  { id: "custom", label: "Custom (cron)", cron: "" },
] as const;

/** Id of a schedule preset. */
export type PresetId = typeof SCHEDULE_PRESETS[number]["id"];

/**
 * The preset a cron expression matches, or "custom".
 *
 * @param cron a five-field cron expression
 */
export function presetOf(cron: string): PresetId {
  return SCHEDULE_PRESETS.find((p) => p.cron === cron.trim())?.id ?? "custom";
}

/**
 * "12,345" style counts.
 *
 * @param n a count
 */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/**
 * "1.2 s", "3 min 4 s" style durations.
 *
 * @param ms milliseconds, or null
 */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/**
 * "3 minutes ago" style relative times.
 *
 * @param iso an ISO timestamp
 * @param now the current time
 */
export function timeAgo(iso: string | null, now = Date.now()): string {
  if (!iso) return "never";
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${hours} hour${hours === 1 ? "" : "s"} ago`;
  const days = Math.round(hours / 24);
  return `${days} day${days === 1 ? "" : "s"} ago`;
}

/**
 * A user-facing message for a failed request, with the API's field problems
 * (e.g. "Syncs may run at most every 15 minutes") spelled out.
 *
 * @param cause what was thrown
 */
export function problemMessage(cause: unknown): string {
  const base = errorMessage(cause);
  if (!(cause instanceof ApiError) || !Array.isArray(cause.details)) return base;
  const problems = (cause.details as { message?: unknown }[])
    .map((d) => (typeof d?.message === "string" ? d.message : null))
    .filter((m): m is string => Boolean(m) && !base.includes(m!));
  return problems.length ? `${base.replace(/\.$/, "")}: ${problems.join("; ")}.` : base;
}
