// The widgets function: templates, versioned widgets, embeds of a widget
// version and the public embed endpoints (docs/widgets.md).
//
// Members read widgets, analysts save versions and roll back, admins manage
// embeds and the allow-list of origins. Dashboards arrange widgets: members
// keep personal ones, admins arrange the organization's. `GET /widgets/embed/:token(.json)`
// is public: the token is the credential, and it reads exactly the pinned
// version's data for its organization; revoked or expired: 410.
import { createFunctionApp, type FunctionApp, type Services } from "../../shared/http/mod.ts";
import { widgetDashboardRoutes } from "./routes/dashboards.ts";
import { embedRoutes, publicEmbedRoutes } from "./routes/embeds.ts";
import { widgetRoutes } from "./routes/widgets.ts";

/**
 * Builds the widgets app, mounted at `/widgets`.
 *
 * @param services configuration, database, logger, token verifier and cache
 */
export function createWidgetsApp(services: Services): FunctionApp {
  const app = createFunctionApp("widgets", services, {
    description: "Widgets over the organization's posture, their versions and embeds",
  });
  // Static paths first, so `/embeds`, `/origins` and `/dashboards` are never read as a widget id.
  app.route("/", publicEmbedRoutes(services).app);
  app.route("/", embedRoutes(services).app);
  app.route("/", widgetDashboardRoutes(services).app);
  app.route("/", widgetRoutes(services).app);
  return app;
}
