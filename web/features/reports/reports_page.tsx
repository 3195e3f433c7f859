import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { RefreshCw, Server } from "lucide";
import { Button } from "../../components/button.tsx";
import { ConfirmDialog } from "../../components/confirm_dialog.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { Loader } from "../../components/loader.tsx";
import { useApp } from "../../app/services.ts";
import { can } from "../../../shared/permissions/mod.ts";
import { errorMessage } from "../../lib/api_error.ts";
import { definitionInput, type Draft, draftOf, newDraft, specOf } from "./builder_state.ts";
import { FilesList } from "./files_list.tsx";
import { useReportsData } from "./page_data.ts";
import { ReportBuilder } from "./report_builder.tsx";
import { type Definition, downloadFile, type ExportFile } from "./reports_api.ts";
import { SavedReports } from "./saved_reports.tsx";
import { ScheduleDialog } from "./schedule_dialog.tsx";
import { ShareDialog } from "./share_dialog.tsx";

/** `/app/reports`: saved reports, the builder with its preview, generated files, sharing and schedules. */
export function ReportsPage(): JSX.Element {
  const { orgs, toasts } = useApp();
  const org = orgs.current.value!;
  const role = orgs.role.value;
  const data = useReportsData(org.id);
  const { reports } = data;
  const [draft, setDraft] = useState<Draft | null>(null);
  const [builderFile, setBuilderFile] = useState<string | null>(null);
  const [sharing, setSharing] = useState<ExportFile | null>(null);
  const [scheduling, setScheduling] = useState<Definition | null>(null);
  const [deleting, setDeleting] = useState<Definition | null>(null);
  const canGenerate = can(role, "reports.generate");

  // A new report starts on the first instance.
  useEffect(() => {
    if (!draft && data.instances?.length) {
      setDraft(newDraft(data.instances[0]!.id));
    }
  }, [data.instances]);

  const fail = (title: string) => (cause: unknown) => toasts.error(title, errorMessage(cause));
  const start = async (input: Parameters<typeof reports.startExport>[0]) => {
    const file = await reports.startExport(input);
    data.track(file);
    return file;
  };
  const download = (file: ExportFile) =>
    downloadFile(reports, file).catch(fail("The download could not start"));

  async function save(): Promise<void> {
    try {
      const input = definitionInput(draft!, org.id);
      const saved = draft!.id
        ? await reports.updateDefinition(draft!.id, {
          name: input.name,
          spec: input.spec,
          format: input.format,
        })
        : await reports.createDefinition(input);
      data.setDefinitions((list) => [...(list ?? []).filter((d) => d.id !== saved.id), saved]);
      setDraft(draftOf(saved));
      toasts.success(`Saved “${saved.name}”`);
    } catch (cause) {
      fail("The report was not saved")(cause);
    }
  }
  async function generate(): Promise<void> {
    try {
      const file = await start({ spec: specOf(draft!, org.id), format: draft!.format });
      setBuilderFile(file.id);
    } catch (cause) {
      fail("The report could not be generated")(cause);
    }
  }

  if (data.error) {
    return (
      <>
        <PageHeader title="Reports" />
        <EmptyState
          tone="error"
          title="We couldn't load your reports"
          description={data.error}
          action={
            <Button icon={RefreshCw} variant="secondary" onClick={data.reload}>Try again</Button>
          }
        />
      </>
    );
  }
  if (!data.definitions || !data.files || !data.instances) {
    return (
      <>
        <PageHeader title="Reports" />
        <Loader label="Loading reports" class="py-24" />
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Reports"
        description="Documents for auditors and your security lead: build a report, generate it as PDF, Excel, CSV, JSON or a signed evidence pack, share it and schedule it."
      />
      <div class="min-w-0 space-y-6">
        <SavedReports
          definitions={data.definitions}
          editingId={draft?.id ?? null}
          canGenerate={canGenerate}
          canSchedule={can(role, "reports.schedule")}
          onEdit={(d) => {
            setDraft(draftOf(d));
            document.getElementById("report-builder")?.scrollIntoView({ block: "start" });
          }}
          onGenerate={(d) => void start({ definition_id: d.id }).catch(fail("Not generated"))}
          onSchedule={setScheduling}
          onDelete={setDeleting}
        />
        {data.instances.length === 0 || !draft
          ? (
            <EmptyState
              icon={Server}
              title="Nothing to report on yet"
              description="Connect a ServiceNow instance and let its first analysis finish; then build reports here."
              action={<Button href="/app/instances">Go to instances</Button>}
            />
          )
          : (
            <ReportBuilder
              orgId={org.id}
              draft={draft}
              onChange={(patch) => setDraft((d) => d && { ...d, ...patch })}
              reports={reports}
              analysis={data.analysis}
              instances={data.instances}
              frameworks={data.frameworks}
              canGenerate={canGenerate}
              onSave={save}
              onGenerate={generate}
              onNew={() => setDraft(newDraft(data.instances![0]!.id))}
              onDownload={download}
              file={builderFile ? data.tracked.get(builderFile) ?? null : null}
            />
          )}
        <FilesList
          files={data.files}
          loading={false}
          canShare={can(role, "reports.share")}
          onDownload={download}
          onShare={setSharing}
        />
      </div>
      <ShareDialog file={sharing} reports={reports} onClose={() => setSharing(null)} />
      <ScheduleDialog
        definition={scheduling}
        reports={reports}
        onClose={() => setScheduling(null)}
        onSaved={(saved) => {
          data.setDefinitions((list) => (list ?? []).map((d) => (d.id === saved.id ? saved : d)));
          setScheduling(null);
          toasts.success(saved.schedule ? `“${saved.name}” is scheduled` : "Schedule removed");
        }}
      />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete “${deleting?.name ?? ""}”?`}
        message="The saved report and its schedule go; files already generated stay until they expire."
        confirmLabel="Delete report"
        tone="danger"
        onCancel={() => setDeleting(null)}
        onConfirm={async () => {
          await reports.deleteDefinition(deleting!.id).then(() => {
            data.setDefinitions((list) => (list ?? []).filter((d) => d.id !== deleting!.id));
            if (draft?.id === deleting!.id) setDraft({ ...draft, id: null });
          }, fail("The report was not deleted"));
          setDeleting(null);
        }}
      />
    </>
  );
}
