import type { KeyValueStore } from "../../lib/storage.ts";

const KEY = "ciq.invitation";
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The invitation link being followed, kept across signing in, signing up and
 * confirming an email (which may happen in another tab), until it is accepted.
 */
export interface PendingInvitation {
  /** The secret from the link, or null. */
  get(): string | null;
  /** Reads `#token=…` from a link's fragment and keeps it; true when there was one. */
  takeFromHash(hash: string): boolean;
  clear(): void;
}

/**
 * The pending invitation over `store`.
 *
 * @param store where to keep it (localStorage in the browser)
 */
export function pendingInvitation(store: KeyValueStore): PendingInvitation {
  return {
    get() {
      const token = store.getItem(KEY);
      return token && TOKEN.test(token) ? token : null;
    },
    takeFromHash(hash) {
      const token = new URLSearchParams(hash.replace(/^#/, "")).get("token");
      if (!token || !TOKEN.test(token)) return false;
      store.setItem(KEY, token);
      return true;
    },
    clear() {
      store.removeItem(KEY);
    },
  };
}
