import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { Cron } from "croner";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Input } from "../../components/input.tsx";
import { Modal } from "../../components/modal.tsx";
import { Select } from "../../components/select.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import type { Instance, Schedule } from "./instances_api.ts";
import { type PresetId, presetOf, problemMessage, SCHEDULE_PRESETS } from "./instance_rules.ts";

const TIMEZONES: string[] = (() => {
  const zones = typeof Intl.supportedValuesOf === "function"
    ? Intl.supportedValuesOf("timeZone")
    : [];
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
})();

/** The next runs of a schedule, or the reason it is not valid (checked again by the API). */
function preview(cron: string, timezone: string): { runs: Date[]; error: string | null } {
  if (cron.trim().split(/\s+/).length !== 5) {
    return { runs: [], error: "Use five fields: minute hour day-of-month month day-of-week." };
  }
  try {
    const job = new Cron(cron.trim(), { mode: "5-part", timezone, paused: true });
    const runs = job.nextRuns(3);
    job.stop();
    return { runs, error: runs.length ? null : "This schedule never runs." };
  } catch (cause) {
    return { runs: [], error: `Not a valid cron expression: ${errorMessage(cause)}` };
  }
}

/** Props of {@linkcode ScheduleModal}. */
export interface ScheduleModalProps {
  instance: Instance | null;
  onClose: () => void;
  onSave: (schedule: Schedule | null) => Promise<void>;
}

/** Sets when an instance syncs by itself (a preset or a cron expression, in a time zone). */
export function ScheduleModal(props: ScheduleModalProps): JSX.Element {
  const current = props.instance?.schedule ?? null;
  const [preset, setPreset] = useState<PresetId>("daily");
  const [cron, setCron] = useState("0 2 * * *");
  const [timezone, setTimezone] = useState("UTC");
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    if (!props.instance) return;
    const start = current?.cron ?? "0 2 * * *";
    setPreset(presetOf(start));
    setCron(start);
    setTimezone(current?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC");
    setFailure(null);
  }, [props.instance?.id]);

  const check = useMemo(() => preview(cron, timezone), [cron, timezone]);

  async function save(schedule: Schedule | null): Promise<void> {
    setSaving(true);
    setFailure(null);
    try {
      await props.onSave(schedule);
      props.onClose();
    } catch (cause) {
      setFailure(problemMessage(cause));
    } finally {
      setSaving(false);
    }
  }

  const format = (d: Date) =>
    d.toLocaleString(undefined, {
      timeZone: timezone,
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
      timeZoneName: "short",
    });

  return (
    <Modal
      open={props.instance !== null}
      onClose={props.onClose}
      title={`Sync schedule of ${props.instance?.name ?? ""}`}
      description="Scheduled syncs are incremental: only records changed since the last sync are read."
    >
      <form
        class="space-y-4"
        onSubmit={(event) => {
          event.preventDefault();
          if (!check.error) void save({ cron: cron.trim(), timezone });
        }}
      >
        {failure && <Alert tone="error">{failure}</Alert>}
        <Select
          label="Runs"
          value={preset}
          onValue={(id: PresetId) => {
            setPreset(id);
            const found = SCHEDULE_PRESETS.find((p) => p.id === id);
            if (found && found.cron) setCron(found.cron);
          }}
          options={SCHEDULE_PRESETS.map((p) => ({ value: p.id, label: p.label }))}
        />
        {preset === "custom" && (
          <Input
            label="Cron expression"
            value={cron}
            onValue={setCron}
            spellcheck={false}
            error={check.error}
            hint="minute hour day-of-month month day-of-week, at most every 15 minutes"
          />
        )}
        <Select
          label="Time zone"
          value={timezone}
          onValue={setTimezone}
          options={TIMEZONES.map((z) => ({ value: z, label: z }))}
        />
        <div aria-live="polite" class="text-sm">
          {check.error && preset !== "custom" && <p class="text-red-700">{check.error}</p>}
          {!check.error && (
            <>
              <p class="text-fg-muted">Next runs:</p>
              <ul class="mt-1 list-inside list-disc" data-testid="schedule-preview">
                {check.runs.map((r) => <li key={r.toISOString()}>{format(r)}</li>)}
              </ul>
              <p class="mt-2 text-xs text-fg-muted">
                Scheduled syncs are spread out so that they do not all start at once: each starts
                within minutes after its time.
              </p>
            </>
          )}
        </div>
        <div class="flex flex-wrap items-center justify-end gap-2 border-t border-line pt-4">
          {current && (
            <Button
              variant="ghost"
              class="mr-auto"
              onClick={() => void save(null)}
              disabled={saving}
            >
              Turn off scheduled syncs
            </Button>
          )}
          <Button variant="secondary" onClick={props.onClose}>Cancel</Button>
          <Button type="submit" loading={saving} disabled={Boolean(check.error)}>
            Save schedule
          </Button>
        </div>
      </form>
    </Modal>
  );
}
