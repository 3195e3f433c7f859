/**
 * Local QStash stand-in for the dev stack: used when no QSTASH_TOKEN is
 * configured, spoken to by the real `@upstash/qstash` Client, and delivering
 * with real `Upstash-Signature` JWTs that its Receiver verifies unchanged.
 *
 * @module
 */
export { createQStashServer, qstashEnv } from "./server.ts";
export type { QStashServer, QStashServerOptions } from "./server.ts";
export { signDelivery } from "./_signing.ts";
export type { DeliveryToSign } from "./_signing.ts";
export { evaluateRetryDelay, parseCron, parseDuration } from "./_parse.ts";
export type { CronSchedule } from "./_parse.ts";
