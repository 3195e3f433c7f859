import type { JSX } from "preact";
import { CalendarClock, FileText, Pencil, Play, Trash2 } from "lucide";
import { Badge } from "../../components/badge.tsx";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { FORMAT_LABELS } from "./file_status.tsx";
import type { Definition } from "./reports_api.ts";

const SCHEDULE_LABELS = { daily: "Daily", weekly: "Weekly", monthly: "Monthly" } as const;

/** Props of {@linkcode SavedReports}. */
export interface SavedReportsProps {
  definitions: readonly Definition[];
  /** The one open in the builder. */
  editingId: string | null;
  canGenerate: boolean;
  canSchedule: boolean;
  onEdit: (definition: Definition) => void;
  onGenerate: (definition: Definition) => void;
  onSchedule: (definition: Definition) => void;
  onDelete: (definition: Definition) => void;
}

/** The organization's saved reports, with their schedule and what can be done with each. */
export function SavedReports(props: SavedReportsProps): JSX.Element {
  return (
    <Card
      title="Saved reports"
      description="Report definitions you can generate again or schedule."
    >
      {props.definitions.length === 0
        ? (
          <EmptyState
            icon={FileText}
            title="No saved reports yet"
            description={props.canGenerate
              ? "Build a report below and save it to generate it again with one click, or to schedule it."
              : "An analyst, admin or owner can save reports here."}
          />
        )
        : (
          <ul class="divide-y divide-line" aria-label="Saved reports">
            {props.definitions.map((d) => (
              <li key={d.id} class="flex flex-wrap items-center gap-x-4 gap-y-2 py-3">
                <div class="min-w-0 flex-1">
                  <p class="break-words font-medium text-fg">{d.name}</p>
                  <p class="flex flex-wrap items-center gap-2 text-xs text-fg-muted">
                    <span>{FORMAT_LABELS[d.format]}</span>
                    <span>· {d.spec.sections.length} sections</span>
                    {d.spec.scope.framework && <span>· {d.spec.scope.framework}</span>}
                    {d.schedule && (
                      <Badge tone="info">
                        {SCHEDULE_LABELS[d.schedule]} to {d.recipients.length} recipient
                        {d.recipients.length === 1 ? "" : "s"}
                      </Badge>
                    )}
                    {d.id === props.editingId && <Badge tone="brand">In the builder</Badge>}
                  </p>
                </div>
                <div class="flex flex-wrap gap-1">
                  <Button
                    size="sm"
                    variant="ghost"
                    icon={Pencil}
                    aria-label={`Edit ${d.name}`}
                    onClick={() =>
                      props.onEdit(d)}
                  >
                    Edit
                  </Button>
                  {props.canGenerate && (
                    <Button
                      size="sm"
                      variant="secondary"
                      icon={Play}
                      aria-label={`Generate ${d.name}`}
                      onClick={() => props.onGenerate(d)}
                    >
                      Generate
                    </Button>
                  )}
                  {props.canSchedule && (
                    <Button
                      size="sm"
                      variant="ghost"
                      icon={CalendarClock}
                      aria-label={`Schedule ${d.name}`}
                      onClick={() => props.onSchedule(d)}
                    >
                      Schedule
                    </Button>
                  )}
                  {props.canGenerate && (!d.schedule || props.canSchedule) && (
                    <Button
                      size="sm"
                      variant="ghost"
                      icon={Trash2}
                      aria-label={`Delete ${d.name}`}
                      onClick={() => props.onDelete(d)}
                    >
                      Delete
                    </Button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
    </Card>
  );
}
