import { batch, computed, type ReadonlySignal, signal } from "@preact/signals";
import type { ApiClient } from "../../lib/api_client.ts";
import { ApiError, errorMessage } from "../../lib/api_error.ts";
import type { Member, Role } from "../../lib/api_types.ts";
import type { Actor } from "./team_rules.ts";

/** The members of one organization and the actions on them. */
export interface TeamModel {
  members: ReadonlySignal<Member[]>;
  status: ReadonlySignal<"loading" | "ready" | "error">;
  error: ReadonlySignal<string | null>;
  /** The signed-in user as the rules see them. */
  actor: ReadonlySignal<Actor>;
  /** User ids with a request in flight, to disable their row. */
  pending: ReadonlySignal<ReadonlySet<string>>;
  load(): Promise<void>;
  changeRole(userId: string, role: Role): Promise<Member>;
  remove(userId: string): Promise<void>;
  leave(): Promise<void>;
}

/** What the team model needs to know about the current user and organization. */
export interface TeamContext {
  orgId: string;
  userId: string;
  role: ReadonlySignal<Role | null>;
  /** Called when a refusal shows the user's role changed, so the org list is reloaded. */
  onAccessChanged?: () => void;
}

/**
 * Creates the team model for one organization.
 *
 * @param api the API client
 * @param context the organization, the user and their role
 */
export function createTeamModel(api: ApiClient, context: TeamContext): TeamModel {
  const members = signal<Member[]>([]);
  const status = signal<"loading" | "ready" | "error">("loading");
  const error = signal<string | null>(null);
  const pending = signal<ReadonlySet<string>>(new Set());

  const actor = computed<Actor>(() => {
    const listed = members.value.find((m) => m.user_id === context.userId);
    const complete = status.value === "ready";
    return {
      userId: context.userId,
      role: listed?.role ?? context.role.value ?? "viewer",
      ownerCount: complete ? members.value.filter((m) => m.role === "owner").length : null,
    };
  });

  async function load(): Promise<void> {
    status.value = "loading";
    error.value = null;
    try {
      const list = await api.organizations.listAllMembers(context.orgId);
      batch(() => {
        members.value = list;
        status.value = "ready";
      });
    } catch (cause) {
      batch(() => {
        error.value = errorMessage(cause);
        status.value = "error";
      });
    }
  }

  async function track<T>(userId: string, work: () => Promise<T>): Promise<T> {
    pending.value = new Set([...pending.value, userId]);
    try {
      return await work();
    } catch (cause) {
      // A 403 means our idea of the user's role is stale: refresh what we show.
      if (cause instanceof ApiError && cause.status === 403) {
        context.onAccessChanged?.();
        void load();
      }
      throw cause;
    } finally {
      const next = new Set(pending.value);
      next.delete(userId);
      pending.value = next;
    }
  }

  return {
    members,
    status,
    error,
    actor,
    pending,
    load,
    async changeRole(userId, role) {
      return await track(userId, async () => {
        const updated = await api.organizations.changeRole(context.orgId, userId, role);
        members.value = members.value.map((m) => (m.user_id === userId ? updated : m));
        if (userId === context.userId) context.onAccessChanged?.();
        return updated;
      });
    },
    async remove(userId) {
      await track(userId, async () => {
        await api.organizations.removeMember(context.orgId, userId);
        members.value = members.value.filter((m) => m.user_id !== userId);
      });
    },
    async leave() {
      await track(context.userId, () => api.organizations.leave(context.orgId));
    },
  };
}
