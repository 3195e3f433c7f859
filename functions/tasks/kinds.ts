// Every task kind the tasks function can run. A domain that starts background
// work defines its kind in shared/<domain>/ with `defineTask` and adds it here,
// so the deployed endpoint knows it.
import { analysisRunTask } from "../../shared/analysis/mod.ts";
import { syncTask } from "../../shared/instances/mod.ts";
import { notificationsDailyTask } from "../../shared/notifications/daily_task.ts";
import {
  reportDeliverTask,
  reportExportTask,
  reportRetentionTask,
  reportScheduledTask,
} from "../../shared/reports/mod.ts";
import { type AnyTaskDefinition, probeTask } from "../../shared/tasks/mod.ts";
import { notificationDeliverTask } from "../../shared/notifications/mod.ts";

/** The task kinds this deployment runs. */
export const TASK_KINDS: readonly AnyTaskDefinition[] = [
  probeTask,
  syncTask,
  analysisRunTask,
  reportExportTask,
  reportScheduledTask,
  reportDeliverTask,
  reportRetentionTask,
  notificationDeliverTask,
  notificationsDailyTask,
];
