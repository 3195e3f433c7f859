import { batch, computed, type ReadonlySignal, signal } from "@preact/signals";
import type { ApiClient } from "../../lib/api_client.ts";
import { errorMessage } from "../../lib/api_error.ts";
import type { OrgDetail, OrgSummary, Role } from "../../lib/api_types.ts";
import type { KeyValueStore } from "../../lib/storage.ts";

/** The organizations the user belongs to and the one they are working in. */
export interface OrgModel {
  orgs: ReadonlySignal<OrgSummary[]>;
  status: ReadonlySignal<"idle" | "loading" | "ready" | "error">;
  error: ReadonlySignal<string | null>;
  current: ReadonlySignal<OrgSummary | null>;
  /** The user's role in the current organization. */
  role: ReadonlySignal<Role | null>;
  /** Loads the list for `userId` and restores the organization they used last. */
  load(userId: string): Promise<void>;
  select(orgId: string): void;
  create(input: { name: string; slug?: string }): Promise<OrgSummary>;
  /** Applies an organization returned by an update (rename, new slug). */
  applyUpdate(org: OrgDetail | OrgSummary): void;
  /** Reloads after the user left or lost access to the current organization. */
  reload(): Promise<void>;
  /** Forgets everything (sign out). */
  reset(): void;
}

const storeKey = (userId: string) => `ciq.org.${userId}`;

/**
 * Creates the organizations model.
 *
 * @param api the API client
 * @param store where the last-used organization is remembered, per user
 */
export function createOrgModel(api: ApiClient, store: KeyValueStore): OrgModel {
  const orgs = signal<OrgSummary[]>([]);
  const status = signal<"idle" | "loading" | "ready" | "error">("idle");
  const error = signal<string | null>(null);
  const currentId = signal<string | null>(null);
  let userId: string | null = null;
  let generation = 0;

  const current = computed(() =>
    orgs.value.find((org) => org.id === currentId.value) ?? orgs.value[0] ?? null
  );
  const role = computed(() => current.value?.role ?? null);

  function select(orgId: string): void {
    currentId.value = orgId;
    if (userId) store.setItem(storeKey(userId), orgId);
  }

  async function load(forUser: string): Promise<void> {
    const mine = ++generation;
    userId = forUser;
    status.value = "loading";
    error.value = null;
    try {
      const list = await api.organizations.list();
      if (mine !== generation) return;
      const saved = store.getItem(storeKey(forUser));
      batch(() => {
        orgs.value = list;
        currentId.value = list.some((org) => org.id === saved) ? saved : list[0]?.id ?? null;
        status.value = "ready";
      });
    } catch (cause) {
      if (mine !== generation) return;
      batch(() => {
        error.value = errorMessage(cause);
        status.value = "error";
      });
    }
  }

  return {
    orgs,
    status,
    error,
    current,
    role,
    load,
    select,
    async create(input) {
      const org = await api.organizations.create(input);
      orgs.value = [...orgs.value, org].sort((a, b) => a.name.localeCompare(b.name));
      select(org.id);
      return org;
    },
    applyUpdate(org) {
      orgs.value = orgs.value.map((item) =>
        item.id === org.id ? { ...item, name: org.name, slug: org.slug, role: org.role } : item
      );
    },
    async reload() {
      if (userId) await load(userId);
    },
    reset() {
      generation++;
      userId = null;
      batch(() => {
        orgs.value = [];
        currentId.value = null;
        status.value = "idle";
        error.value = null;
      });
    },
  };
}
