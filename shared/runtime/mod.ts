export { createServicesFromEnv, verifierFromConfig } from "./services.ts";
