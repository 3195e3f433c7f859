import type { FunctionApp, Services } from "../../shared/http/mod.ts";
import { createOrganizationsApp } from "../../functions/organizations/app.ts";

/** A domain function the local gateway mounts at `/functions/v1/<name>`. */
export interface LocalFunction {
  name: string;
  create(services: Services): FunctionApp;
}

/** Every function, as Supabase would deploy them. */
export const LOCAL_FUNCTIONS: LocalFunction[] = [
  { name: "organizations", create: createOrganizationsApp },
];
