import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Loader } from "../components/loader.tsx";
import { instancesApi } from "../features/instances/instances_api.ts";
import type { ApiClient } from "../lib/api_client.ts";
import { Redirect } from "./redirect.tsx";
import { defaultAppPath, type RouteContext, type StartFacts } from "./route_registry.ts";
import { APP_ROUTES } from "./routes.tsx";
import { useApp } from "./services.ts";

/**
 * What the start page depends on for one organization. A failure leaves the
 * facts unknown (`undefined`): the user still lands on a page, which shows
 * the error itself.
 *
 * @param api the app's API client
 * @param orgId the organization
 * @param options an abort signal
 */
export async function loadStartFacts(
  api: ApiClient,
  orgId: string,
  options: { signal?: AbortSignal } = {},
): Promise<StartFacts | undefined> {
  try {
    const instances = await instancesApi(api).list(orgId, options.signal);
    return { hasInstances: instances.length > 0 };
  } catch {
    return undefined;
  }
}

/**
 * `/app`: loads what the start page depends on, then replaces the location with
 * the start page of the registry ({@linkcode defaultAppPath}).
 *
 * @param props the organization and the route context (role and mode)
 */
export function StartPage(props: { orgId: string; context: RouteContext }): JSX.Element {
  const { api } = useApp();
  const [target, setTarget] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    setTarget(null);
    void loadStartFacts(api, props.orgId, { signal: abort.signal }).then((facts) => {
      if (!abort.signal.aborted) setTarget(defaultAppPath(APP_ROUTES, props.context, facts));
    });
    return () => abort.abort();
  }, [props.orgId, props.context.role, props.context.devMode]);
  if (!target) return <Loader label="Opening ComplianceIQ" class="min-h-screen" />;
  return <Redirect to={target} />;
}
