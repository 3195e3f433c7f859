/**
 * Shapes of the organizations API (`/functions/v1/organizations`), inferred
 * from its route declarations (web/lib/typed_client.ts), so they cannot drift. {@linkcode Jsonified} turns a server type into its wire shape,
 * for the features that `import type` their response types from the server.
 *
 * @module
 */
import { ORG_ROLES } from "../../shared/permissions/mod.ts";
import type { InputOf, ResponseOf } from "./typed_client.ts";

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

/** An organization as listed for the signed-in user (with their role in it). */
export type OrgSummary = ResponseOf<"GET /organizations">["data"][number];

/** One organization in full. */
export type OrgDetail = ResponseOf<"GET /organizations/:orgId">["data"];

/** Organization settings (every key present on read). */
export type OrgSettings = OrgDetail["settings"];

/** Body of `PATCH /organizations/:orgId`. */
export type OrgUpdate = InputOf<"PATCH /organizations/:orgId">["body"];

/** A member of an organization. */
export type Member = ResponseOf<"GET /organizations/:orgId/members">["data"][number];

/** An invitation as admins see it, with its state (pending, expired, accepted, revoked). */
export type Invitation = ResponseOf<"GET /organizations/:orgId/invitations">["data"][number];

/** What an invitation link is for, as its holder sees it. */
export type InvitationPreview = ResponseOf<"POST /organizations/invitations/lookup">["data"];

/** Roles an invitation can grant (every role but owner). */
export type InvitableRole = Invitation["role"];

/** An open offer of ownership. */
export type OwnershipOffer = NonNullable<
  ResponseOf<"GET /organizations/:orgId/ownership-transfer">["data"]
>;

/** A page of a cursor-paginated list. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** The error body every endpoint answers with. */
export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}
