/**
 * ServiceNow instance simulator: Table API, Aggregate API, OAuth, ACLs, rate limits,
 * fault injection, deterministic seeded data with planted control violations and a
 * ground-truth manifest. See README.md.
 *
 * @module
 */

export {
  createSnowSimulator,
  type SimClock,
  type SimulatorOptions,
  type SnowSimulator,
} from "./app.ts";
export { type AdvanceReport, parseDuration } from "./advance.ts";
export {
  type InstanceOptions,
  type ReadAclPolicy,
  SENSITIVE_TABLES,
  SimInstance,
} from "./instance.ts";
export { defaultKnobs, type Knobs, type RateLimitKnob } from "./knobs.ts";
export {
  computeManifest,
  type ControlResult,
  type HardeningFinding,
  type Manifest,
  type ManifestViolation,
  type PropertyFinding,
} from "./manifest.ts";
export {
  applyProfile,
  PROFILE_SCENARIOS,
  type ProfileName,
  PROFILES,
  type ProfileScenario,
  visibleManifest,
} from "./profiles.ts";
export { CONTROL_IDS, CONTROL_PARAMS, CONTROL_TITLES, type ControlId } from "./params.ts";
export { ADMIN_SYS_ID, type PlantedViolation } from "./generate.ts";
export { type ColumnDef, SCHEMAS, type TableSchema } from "./schema.ts";
export type { Dataset, Row, TableStore } from "./store.ts";
