import type { FunctionApp, Services } from "../../shared/http/mod.ts";
import { createBillingApp } from "../../functions/billing/app.ts";
import { createAnalysisApp } from "../../functions/analysis/app.ts";
import { createAuditApp } from "../../functions/audit/app.ts";
import { createDashboardApp } from "../../functions/dashboard/app.ts";
import { createInsightsApp } from "../../functions/insights/app.ts";
import { createInstancesApp } from "../../functions/instances/app.ts";
import { createNotificationsApp } from "../../functions/notifications/app.ts";
import { createOrganizationsApp } from "../../functions/organizations/app.ts";
import { createReportsApp } from "../../functions/reports/app.ts";
import { createWidgetsApp } from "../../functions/widgets/app.ts";
import { createTasksApp } from "../../functions/tasks/app.ts";

/** A domain function the local gateway mounts at `/functions/v1/<name>`. */
export interface LocalFunction {
  name: string;
  create(services: Services): FunctionApp;
}

/** Every function, as Supabase would deploy them. */
export const LOCAL_FUNCTIONS: LocalFunction[] = [
  { name: "organizations", create: createOrganizationsApp },
  { name: "instances", create: (services) => createInstancesApp(services) },
  { name: "tasks", create: (services) => createTasksApp(services) },
  { name: "analysis", create: createAnalysisApp },
  { name: "reports", create: createReportsApp },
  { name: "widgets", create: createWidgetsApp },
  { name: "dashboard", create: createDashboardApp },
  { name: "insights", create: createInsightsApp },
  { name: "audit", create: createAuditApp },
  { name: "billing", create: createBillingApp },
  { name: "notifications", create: createNotificationsApp },
];
