import { effect } from "@preact/signals";
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { createClient } from "@supabase/supabase-js";
import { type ApiClient, createApiClient } from "../lib/api_client.ts";
import type { AppConfig } from "../lib/config.ts";
import type { KeyValueStore } from "../lib/storage.ts";
import { createThemeModel, type ThemeModel } from "../lib/theme.ts";
import { createToastModel, type ToastModel } from "../lib/toast.ts";
import {
  type AuthApi,
  type AuthRedirect,
  createSessionModel,
  type SessionModel,
} from "../features/auth/session_model.ts";
import { createOrgModel, type OrgModel } from "../features/orgs/org_model.ts";

/** Everything the pages share: configuration, models and the API client. */
export interface AppServices {
  config: AppConfig;
  session: SessionModel;
  orgs: OrgModel;
  api: ApiClient;
  toasts: ToastModel;
  theme: ThemeModel;
  /** Stops listeners (tests and hot reload). */
  dispose(): void;
}

/** What {@linkcode createAppServices} needs from its environment. */
export interface AppEnvironment {
  config: AppConfig;
  origin: string;
  store: KeyValueStore;
  /** supabase-js auth; by default a client is created from the config. */
  auth?: AuthApi;
  /** The auth redirect read from the URL before supabase-js consumed it. */
  redirect?: AuthRedirect;
  darkQuery?: ThemeModelEnvironmentQuery;
  applyTheme?: (theme: "light" | "dark") => void;
  fetch?: typeof fetch;
  /** Called when the API refuses the session, after it has been ended. */
  onSessionExpired?: () => void;
}

type ThemeModelEnvironmentQuery = Parameters<typeof createThemeModel>[0]["darkQuery"];

/**
 * Builds the app's state: the supabase-js client, the session, the API client
 * (whose 401 handling ends the session), the organizations, toasts and theme.
 * Each call returns fresh state, so tests build their own.
 *
 * @param env configuration, storage and browser hooks
 */
export function createAppServices(env: AppEnvironment): AppServices {
  const auth = env.auth ?? createClient(env.config.supabaseUrl, env.config.supabaseAnonKey, {
    auth: {
      persistSession: true,
      autoRefreshToken: true,
      detectSessionInUrl: true,
      flowType: "implicit",
    },
  }).auth;
  const session = createSessionModel(auth, { origin: env.origin, redirect: env.redirect });
  const api = createApiClient({
    baseUrl: env.config.functionsUrl,
    getAccessToken: () => session.accessToken(),
    refreshAccessToken: () => session.refreshAccessToken(),
    onUnauthorized: () => {
      session.expire();
      env.onSessionExpired?.();
    },
    fetch: env.fetch,
  });
  const orgs = createOrgModel(api, env.store);
  const toasts = createToastModel();
  const theme = createThemeModel({
    store: env.store,
    darkQuery: env.darkQuery ?? null,
    apply: env.applyTheme ?? (() => {}),
  });

  const stopAuth = session.start();
  let loadedFor: string | null = null;
  const stopOrgs = effect(() => {
    const userId = session.user.value?.id ?? null;
    if (userId === loadedFor) return;
    loadedFor = userId;
    if (userId) void orgs.load(userId);
    else orgs.reset();
  });

  return {
    config: env.config,
    session,
    orgs,
    api,
    toasts,
    theme,
    dispose() {
      stopAuth();
      stopOrgs();
      theme.dispose();
    },
  };
}

/** Provides {@linkcode AppServices} to the component tree. */
export const AppContext = createContext<AppServices | null>(null);

/**
 * The app's services, from the nearest {@linkcode AppContext} provider.
 *
 * @throws {Error} outside a provider (a wiring mistake)
 */
export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) {
    throw new Error("Cannot use app services: no AppContext provider above this component");
  }
  return services;
}
