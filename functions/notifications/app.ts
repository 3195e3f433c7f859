// The notifications function: alert channels and rules, the delivery log and
// each member's in-app inbox. Alerts themselves are sent by the tasks function
// when a run, a sync or a scheduled report ends. docs/notifications.md.
import { createFunctionApp, type FunctionApp, type Services } from "../../shared/http/mod.ts";
import { configureSecretKeyring } from "../../shared/secrets/mod.ts";
import { inboxRoutes } from "./routes/inbox.ts";
import { inboxStreamRoutes } from "./routes/inbox_stream.ts";
import { preferencesRoutes } from "./routes/preferences.ts";
import { unsubscribeRoutes } from "./routes/unsubscribe.ts";
import { settingsRoutes } from "./routes/settings.ts";

/**
 * Builds the notifications app, mounted at `/notifications`.
 *
 * @param services configuration, database, logger, token verifier and mailer
 */
export function createNotificationsApp(services: Services): FunctionApp {
  // Webhook secrets are sealed with this configuration's keyring (workers here too).
  configureSecretKeyring(services.config);
  const app = createFunctionApp("notifications", services, {
    description: "Alert channels and rules, their delivery log, and your in-app notifications",
  });
  app.route("/", settingsRoutes(services).app);
  app.route("/", unsubscribeRoutes(services).app);
  app.route("/", preferencesRoutes(services).app);
  app.route("/", inboxStreamRoutes(services).app);
  app.route("/", inboxRoutes(services).app);
  return app;
}
