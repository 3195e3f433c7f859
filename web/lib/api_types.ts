/**
 * Shapes of the organizations API (`/functions/v1/organizations`), mirrored
 * from shared/organizations: the web app depends on the API's wire format, not
 * on server code. {@linkcode Jsonified} turns a server type into its wire shape,
 * for the features that `import type` their response types from the server.
 *
 * @module
 */
import { ORG_ROLES } from "../../shared/permissions/mod.ts";

/**
 * A server type as it arrives over JSON: every `Date` becomes its ISO string,
 * everything else keeps its shape (arrays, optional and readonly fields included).
 *
 * @example
 * ```ts
 * import type { RunDetail as ServerRunDetail } from "../../../shared/analysis/mod.ts";
 * type RunDetail = Jsonified<ServerRunDetail>; // evaluated_at: string
 * ```
 */
export type Jsonified<T> = T extends Date ? string
  : T extends object ? { [K in keyof T]: Jsonified<T[K]> }
  : T;

/** Roles in an organization, least to most privileged (the permission matrix's). */
export const ROLES: typeof ORG_ROLES = ORG_ROLES;

/** A role in an organization. */
export type Role = typeof ROLES[number];

/** An organization as listed for the signed-in user. */
export interface OrgSummary {
  id: string;
  name: string;
  slug: string;
  plan: string;
  subscription_status: string;
  /** The signed-in user's role in it. */
  role: Role;
  created_at: string;
}

/** Organization settings (every key present on read). */
export interface OrgSettings {
  /** IANA time zone, e.g. "Europe/Paris". */
  timezone: string;
  /**
   * Days without a login after which an account counts as dormant (30–365): the
   * organization-wide window of the dormant-account checks, unless a check has
   * its own override.
   */
  dormant_account_days: number;
  /** Up to 10 addresses that receive notifications. */
  notification_emails: string[];
  /**
   * The framework reported against first: a framework id of the check catalog
   * (`GET /analysis/frameworks`), or null for none.
   */
  default_framework: string | null;
  /** Queue a full analysis after every sync that succeeds or partly succeeds (default true). */
  analyze_after_sync: boolean;
}

/** One organization in full. */
export interface OrgDetail extends OrgSummary {
  max_instances: number | null;
  max_users: number | null;
  settings: OrgSettings;
  updated_at: string;
}

/** Body of `PATCH /organizations/:orgId`. */
export interface OrgUpdate {
  name?: string;
  slug?: string;
  settings?: Partial<OrgSettings>;
}

/** A member of an organization. */
export interface Member {
  user_id: string;
  email: string;
  /** The user's name; may be null or empty when they never set one. */
  display_name: string | null;
  role: Role;
  joined_at: string;
}

/**
 * The answer to adding a member by email: the same whether or not an account
 * uses the address, so it names no one.
 */
export interface MemberAddition {
  email: string;
  role: Role;
}

/** A page of a cursor-paginated list. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** The error body every endpoint answers with. */
export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}
