import { ApiError } from "./api_error.ts";
import type {
  ErrorBody,
  InvitableRole,
  Invitation,
  InvitationPreview,
  Member,
  OrgDetail,
  OrgSummary,
  OrgUpdate,
  OwnershipOffer,
  Page,
  Role,
} from "./api_types.ts";
import { typedClient } from "./typed_client.ts";

/** Where the client gets and renews the user's access token, and what it does when that fails. */
export interface ApiClientOptions {
  /** Base URL of the functions, e.g. `https://app.example.com/functions/v1`. */
  baseUrl: string;
  /** The current access token (supabase-js refreshes it when it is about to expire). */
  getAccessToken: () => Promise<string | null>;
  /** Forces a token refresh after a 401; resolves to the new token or null when the session is gone. */
  refreshAccessToken: () => Promise<string | null>;
  /** Called once a request is still unauthorized after a refresh: sign out and go to the login page. */
  onUnauthorized: () => void;
  /** fetch to use; tests pass their own. */
  fetch?: typeof fetch;
}

/** Options of one request. */
export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  signal?: AbortSignal;
}

/** The typed API of the functions, one method per endpoint. */
export interface ApiClient {
  /** Low-level call for endpoints without a method yet; same error handling. */
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  organizations: OrganizationsApi;
}

/** `/organizations`: organizations and their members. */
export interface OrganizationsApi {
  list(options?: { signal?: AbortSignal }): Promise<OrgSummary[]>;
  create(input: { name: string; slug?: string }): Promise<OrgSummary>;
  get(orgId: string, options?: { signal?: AbortSignal }): Promise<OrgDetail>;
  update(orgId: string, patch: OrgUpdate): Promise<OrgDetail>;
  listMembers(
    orgId: string,
    options?: { cursor?: string | null; limit?: number; signal?: AbortSignal },
  ): Promise<Page<Member>>;
  /** Follows `next_cursor` until the last page. */
  listAllMembers(orgId: string, options?: { signal?: AbortSignal }): Promise<Member[]>;
  listInvitations(orgId: string): Promise<Invitation[]>;
  /** Invites `email`; the answer is the same whether or not the address has an account. */
  invite(orgId: string, input: { email: string; role: InvitableRole }): Promise<Invitation>;
  resendInvitation(orgId: string, invitationId: string): Promise<Invitation>;
  revokeInvitation(orgId: string, invitationId: string): Promise<Invitation>;
  /** What an invitation link is for (public: the link's secret is the credential). */
  lookupInvitation(token: string): Promise<InvitationPreview>;
  acceptInvitation(token: string): Promise<{ org_id: string; role: InvitableRole }>;
  ownershipOffer(orgId: string): Promise<OwnershipOffer | null>;
  offerOwnership(orgId: string, userId: string): Promise<OwnershipOffer>;
  /** Withdraws (an owner) or declines (the recipient) the open offer. */
  cancelOwnershipOffer(orgId: string): Promise<void>;
  acceptOwnership(orgId: string): Promise<OrgDetail>;
  /** Deletes the organization and all its data; `confirmName` must be its name. */
  remove(orgId: string, confirmName: string): Promise<void>;
  changeRole(orgId: string, userId: string, role: Role): Promise<Member>;
  removeMember(orgId: string, userId: string): Promise<void>;
  leave(orgId: string): Promise<void>;
}

/**
 * User-facing messages for the API's error codes. Codes not listed fall back to
 * the server's message (written for clients) or to the status's default below.
 */
const CODE_MESSAGES: Record<string, string> = {
  owner_required: "Only an owner can grant, remove or change the owner role.",
  last_owner:
    "An organization needs at least one owner. Make someone else an owner before you do this.",
  already_member: "That person is already a member of this organization.",
  already_invited: "That address already has an open invitation. Resend or revoke it instead.",
  invitation_expired:
    "This invitation link has expired. Ask the person who invited you for a new one.",
  invitation_used: "This invitation link has already been used.",
  invitation_not_found:
    "This invitation link is not valid. It may have been revoked or replaced by a newer one.",
  invitation_email_mismatch:
    "This invitation was sent to another email address. Sign in with that address to accept it.",
  confirmation_mismatch: "Type the organization's name exactly as shown to confirm.",
  member_limit_reached:
    "Your plan's member limit is reached. Remove a member or upgrade the plan to add more.",
  already_exists: "That slug is already taken. Choose another one.",
};

const STATUS_MESSAGES = {
  unauthorized: "Your session has expired. Sign in again to continue.",
  forbidden: "You don't have permission to do that. Ask an admin or owner of this organization.",
  not_found: "We couldn't find that. It may have been removed, or you no longer have access.",
  server: "Something went wrong on our side. Try again in a moment.",
  network: "Cannot reach ComplianceIQ. Check your connection and try again.",
  invalid: "The request was not accepted. Check the form and try again.",
};

function retryAfterSeconds(response: Response): number | undefined {
  const header = response.headers.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

async function readErrorBody(response: Response): Promise<ErrorBody["error"] | null> {
  try {
    const body = await response.json() as Partial<ErrorBody>;
    const error = body?.error;
    if (error && typeof error.code === "string" && typeof error.message === "string") return error;
  } catch {
    // Not our JSON error shape (a proxy's HTML page, an empty body): use the defaults.
  }
  return null;
}

/**
 * Turns a failed response into an {@linkcode ApiError} with a message a user can act on.
 *
 * @param response a response whose status is not 2xx
 */
export async function toApiError(response: Response): Promise<ApiError> {
  const status = response.status;
  const body = await readErrorBody(response);
  const options = { code: body?.code, details: body?.details };
  if (status === 401) return new ApiError(401, STATUS_MESSAGES.unauthorized, options);
  if (status === 429) {
    const retryAfter = retryAfterSeconds(response);
    const wait = retryAfter ? `in ${retryAfter} second${retryAfter === 1 ? "" : "s"}` : "shortly";
    return new ApiError(429, `Too many requests. Try again ${wait}.`, { ...options, retryAfter });
  }
  if (status >= 500) return new ApiError(status, STATUS_MESSAGES.server, options);
  const known = body ? CODE_MESSAGES[body.code] : undefined;
  if (known) return new ApiError(status, known, options);
  if (body?.message) return new ApiError(status, sentence(body.message), options);
  if (status === 403) return new ApiError(403, STATUS_MESSAGES.forbidden, options);
  if (status === 404) return new ApiError(404, STATUS_MESSAGES.not_found, options);
  return new ApiError(status, STATUS_MESSAGES.invalid, options);
}

function sentence(message: string): string {
  const trimmed = message.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function buildUrl(baseUrl: string, path: string, query: RequestOptions["query"]): string {
  const url = new URL(baseUrl.replace(/\/$/, "") + path, globalThis.location?.href);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") {
      url.searchParams.set(key, `${value}`);
    }
  }
  return url.href;
}

/**
 * Creates the one API client of the app. It attaches the session's bearer
 * token, refreshes it once on a 401 and retries, and turns every failure into
 * an {@linkcode ApiError} with a user-facing message: 401 (after the retry)
 * also calls `onUnauthorized`, 403/404/409/422 carry the API's explanation,
 * 429 says when to retry, 5xx and network failures a generic message.
 *
 * @param options base URL, token source and the unauthorized handler
 *
 * @example
 * const api = createApiClient({ baseUrl: config.functionsUrl, getAccessToken, refreshAccessToken, onUnauthorized });
 * const orgs = await api.organizations.list();
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function send(
    method: string,
    url: string,
    token: string | null,
    request: RequestOptions,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (request.body !== undefined) headers["content-type"] = "application/json";
    try {
      return await fetchFn(url, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: request.signal,
      });
    } catch (cause) {
      if (request.signal?.aborted) throw cause;
      throw new ApiError(0, STATUS_MESSAGES.network, { cause });
    }
  }

  async function request<T>(
    method: string,
    path: string,
    request: RequestOptions = {},
  ): Promise<T> {
    const url = buildUrl(options.baseUrl, path, request.query);
    let response = await send(method, url, await options.getAccessToken(), request);
    if (response.status === 401) {
      await response.body?.cancel();
      const fresh = await options.refreshAccessToken().catch(() => null);
      if (fresh) response = await send(method, url, fresh, request);
      if (!fresh || response.status === 401) {
        const error = await toApiError(response);
        options.onUnauthorized();
        throw error;
      }
    }
    if (!response.ok) throw await toApiError(response);
    if (response.status === 204) {
      await response.body?.cancel();
      return undefined as T;
    }
    return await response.json() as T;
  }

  const call = typedClient({ request });
  const organizations: OrganizationsApi = {
    list: async (opts = {}) => (await call("GET /organizations", opts)).data,
    create: async (input) => (await call("POST /organizations", { body: input })).data,
    get: async (orgId, opts = {}) =>
      (await call("GET /organizations/:orgId", { params: { orgId }, signal: opts.signal })).data,
    update: async (orgId, patch) =>
      (await call("PATCH /organizations/:orgId", { params: { orgId }, body: patch })).data,
    listMembers: (orgId, opts = {}) =>
      call("GET /organizations/:orgId/members", {
        params: { orgId },
        query: { limit: opts.limit ?? 50, cursor: opts.cursor ?? undefined },
        signal: opts.signal,
      }),
    async listAllMembers(orgId, opts = {}) {
      const all: Member[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<Member> = await organizations.listMembers(orgId, {
          cursor,
          limit: 200,
          signal: opts.signal,
        });
        all.push(...page.data);
        cursor = page.next_cursor;
      } while (cursor);
      return all;
    },
    listInvitations: async (orgId) =>
      (await call("GET /organizations/:orgId/invitations", { params: { orgId } })).data,
    invite: async (orgId, input) =>
      (await call("POST /organizations/:orgId/invitations", { params: { orgId }, body: input }))
        .data,
    resendInvitation: async (orgId, invitationId) =>
      (await call("POST /organizations/:orgId/invitations/:invitationId/resend", {
        params: { orgId, invitationId },
      })).data,
    revokeInvitation: async (orgId, invitationId) =>
      (await call("POST /organizations/:orgId/invitations/:invitationId/revoke", {
        params: { orgId, invitationId },
      })).data,
    lookupInvitation: async (token) =>
      (await call("POST /organizations/invitations/lookup", { body: { token } })).data,
    acceptInvitation: async (token) =>
      (await call("POST /organizations/invitations/accept", { body: { token } })).data,
    ownershipOffer: async (orgId) =>
      (await call("GET /organizations/:orgId/ownership-transfer", { params: { orgId } })).data,
    offerOwnership: async (orgId, userId) =>
      (await call("PUT /organizations/:orgId/ownership-transfer", {
        params: { orgId },
        body: { user_id: userId },
      })).data,
    async cancelOwnershipOffer(orgId) {
      await call("DELETE /organizations/:orgId/ownership-transfer", { params: { orgId } });
    },
    acceptOwnership: async (orgId) =>
      (await call("POST /organizations/:orgId/ownership-transfer/accept", { params: { orgId } }))
        .data,
    async remove(orgId, confirmName) {
      await call("DELETE /organizations/:orgId", {
        params: { orgId },
        body: { confirm_name: confirmName },
      });
    },
    changeRole: async (orgId, userId, role) =>
      (await call("PATCH /organizations/:orgId/members/:userId", {
        params: { orgId, userId },
        body: { role },
      })).data,
    async removeMember(orgId, userId) {
      await call("DELETE /organizations/:orgId/members/:userId", { params: { orgId, userId } });
    },
    async leave(orgId) {
      await call("POST /organizations/:orgId/leave", { params: { orgId } });
    },
  };

  return { request, organizations };
}
