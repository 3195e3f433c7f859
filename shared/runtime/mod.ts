export { createServicesFromEnv, verifierFromConfig } from "./services.ts";
export { type FetchHandler, serveFunction } from "./serve.ts";
