/** Runtime configuration, served as `/app-config.json` (by the dev stack, or a static file when hosted). */
export interface AppConfig {
  /** Supabase project URL; the auth API lives at `${supabaseUrl}/auth/v1`. */
  supabaseUrl: string;
  /** The public (anon/publishable) key; safe in a browser. */
  supabaseAnonKey: string;
  /** Base URL of the functions, e.g. `${origin}/functions/v1`. */
  functionsUrl: string;
  /** True on the local stack, whose emails land in a dev mailbox instead of being sent. */
  devMailbox: boolean;
}

function requireString(value: unknown, key: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new Error(`Cannot start ComplianceIQ: /app-config.json has no "${key}"`);
  }
  return value;
}

/**
 * Checks the parsed `/app-config.json` and resolves relative URLs against `origin`.
 *
 * @param raw the parsed JSON
 * @param origin the page's origin, e.g. `location.origin`
 * @throws {Error} naming the missing or invalid key
 */
export function parseAppConfig(raw: unknown, origin: string): AppConfig {
  if (typeof raw !== "object" || raw === null) {
    throw new Error("Cannot start ComplianceIQ: /app-config.json is not a JSON object");
  }
  const record = raw as Record<string, unknown>;
  return {
    supabaseUrl: new URL(requireString(record.supabaseUrl, "supabaseUrl"), origin).href
      .replace(/\/$/, ""),
    supabaseAnonKey: requireString(record.supabaseAnonKey, "supabaseAnonKey"),
    functionsUrl: new URL(requireString(record.functionsUrl, "functionsUrl"), origin).href
      .replace(/\/$/, ""),
    devMailbox: record.devMailbox === true,
  };
}

/**
 * Loads the runtime configuration once at start.
 *
 * @param origin the page's origin
 * @param fetchFn fetch to use
 * @throws {Error} when the file cannot be loaded or is invalid
 */
export async function loadAppConfig(
  origin: string,
  fetchFn: typeof fetch = globalThis.fetch.bind(globalThis),
): Promise<AppConfig> {
  let response: Response;
  try {
    response = await fetchFn(new URL("/app-config.json", origin), {
      headers: { accept: "application/json" },
      cache: "no-store",
    });
  } catch (cause) {
    throw new Error("Cannot start ComplianceIQ: the server could not be reached", { cause });
  }
  if (!response.ok) {
    throw new Error(`Cannot start ComplianceIQ: /app-config.json answered ${response.status}`);
  }
  return parseAppConfig(await response.json(), origin);
}
