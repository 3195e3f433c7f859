export { createTestAuth } from "./auth.ts";
export type { TestAuth, TestUser } from "./auth.ts";
export { createTestDatabase } from "./database.ts";
export type { TestDatabase } from "./database.ts";
export { createTestServices } from "./services.ts";
export { insertSampleRow, sampleValues } from "./rows.ts";
export type { ColumnOverrides, SampleRow, SampleTenant } from "./rows.ts";
