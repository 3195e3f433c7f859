/**
 * Formats an ISO timestamp as a short date in the user's locale, e.g. "Nov 21, 2026".
 *
 * @param iso an ISO 8601 timestamp
 * @param timeZone a time zone, e.g. the organization's; the browser's by default
 */
export function formatDate(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return date.toLocaleDateString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    timeZone,
  });
}

/**
 * Formats an ISO timestamp as date and time to the second in the user's locale,
 * e.g. "Nov 21, 2026, 14:03:07" (the audit trail needs the time, not only the day).
 *
 * @param iso an ISO 8601 timestamp
 */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return date.toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/**
 * Up to two initials for an avatar, from a name or an email.
 *
 * @param nameOrEmail e.g. "Ada Lovelace" or "ada@example.com"
 */
export function initials(nameOrEmail: string): string {
  const base = nameOrEmail.includes("@") ? nameOrEmail.split("@")[0]! : nameOrEmail;
  const words = base.split(/[\s._-]+/).filter(Boolean);
  const letters = words.length >= 2 ? `${words[0]![0]}${words[1]![0]}` : base.slice(0, 2);
  return letters.toUpperCase() || "?";
}
