/**
 * `/app/widgets`: the organization's widgets with live previews, the templates
 * to start from, and (admins) every embed and the origin allow-list. With
 * `?widget=<id>` it opens that widget's editor.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { LayoutTemplate, Plus, RefreshCw } from "lucide";
import { Button } from "../../components/button.tsx";
import { Card } from "../../components/card.tsx";
import { EmptyState } from "../../components/empty_state.tsx";
import { PageHeader } from "../../components/layout.tsx";
import { errorMessage } from "../../lib/api_error.ts";
import { useApp } from "../../app/services.ts";
import { can } from "../../../shared/permissions/mod.ts";
import { EmbedsPanel } from "./embeds_panel.tsx";
import { OriginsEditor } from "./origins_editor.tsx";
import { WidgetEditor } from "./widget_editor.tsx";
import { WidgetPreview } from "./widget_preview.tsx";
import { createWidgetsApi, type WidgetItem, type WidgetTemplateInfo } from "./widgets_api.ts";

const GRID = "grid gap-4 sm:grid-cols-2 xl:grid-cols-3 *:min-w-0";

/** The Widgets page (gallery, or one widget's editor). */
export function WidgetsPage(): JSX.Element {
  const { query } = useLocation();
  return query.widget ? <WidgetEditor widgetId={query.widget} /> : <WidgetGallery />;
}

function WidgetGallery(): JSX.Element {
  const { api, orgs, toasts } = useApp();
  const org = orgs.current.value!;
  const { route } = useLocation();
  const widgetsApi = useMemo(() => createWidgetsApi(api), [api]);
  const [widgets, setWidgets] = useState<WidgetItem[] | null>(null);
  const [templates, setTemplates] = useState<WidgetTemplateInfo[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [creating, setCreating] = useState<string | null>(null);
  const write = can(org.role, "widgets.write");
  const embed = can(org.role, "widgets.embed");

  async function load(): Promise<void> {
    setLoadError(null);
    try {
      const [w, t] = await Promise.all([widgetsApi.list(org.id), widgetsApi.templates()]);
      setWidgets(w);
      setTemplates(t);
    } catch (cause) {
      setLoadError(errorMessage(cause));
    }
  }
  useEffect(() => {
    setWidgets(null);
    void load();
  }, [org.id]);

  async function create(t: WidgetTemplateInfo): Promise<void> {
    setCreating(t.id);
    try {
      const w = await widgetsApi.create(org.id, t.title, t.id, t.defaults);
      toasts.success(`“${w.name}” created: change its settings and save`);
      route(`/app/widgets?widget=${w.id}`);
    } catch (cause) {
      toasts.error(errorMessage(cause));
    } finally {
      setCreating(null);
    }
  }

  const titles = Object.fromEntries((templates ?? []).map((t) => [t.id, t.title]));
  return (
    <>
      <PageHeader
        title="Widgets"
        description={`Live pieces of ${org.name}'s compliance posture, to place on dashboards and embed in other tools.`}
      />
      {loadError
        ? (
          <EmptyState
            tone="error"
            title="We couldn't load the widgets"
            description={loadError}
            action={
              <Button icon={RefreshCw} variant="secondary" onClick={() => void load()}>
                Try again
              </Button>
            }
          />
        )
        : (
          <div class="space-y-8">
            <section aria-labelledby="your-widgets" class="space-y-3">
              <h2 id="your-widgets" class="text-lg font-semibold text-fg">Your widgets</h2>
              {widgets && !widgets.length && (
                <EmptyState
                  icon={LayoutTemplate}
                  title="No widgets yet"
                  description={write
                    ? "Start from a template below."
                    : "Analysts and admins create widgets from the templates below."}
                />
              )}
              <div class={GRID}>
                {(widgets ?? []).map((w) => (
                  <Card
                    key={w.id}
                    headingLevel={3}
                    title={
                      <a class="hover:underline" href={`/app/widgets?widget=${w.id}`}>{w.name}</a>
                    }
                    description={`${
                      titles[w.template] ?? w.template
                    } · version ${w.current_version}`}
                  >
                    <WidgetPreview
                      label={`Preview of ${w.name}`}
                      load={() => widgetsApi.data(w.id)}
                      deps={[w.id, w.current_version]}
                    />
                  </Card>
                ))}
              </div>
            </section>
            <section aria-labelledby="templates" class="space-y-3">
              <h2 id="templates" class="text-lg font-semibold text-fg">Templates</h2>
              <div class={GRID}>
                {(templates ?? []).map((t) => (
                  <Card
                    key={t.id}
                    class="flex flex-col"
                    headingLevel={3}
                    title={t.title}
                    description={t.description}
                    footer={write && (
                      <Button
                        size="sm"
                        icon={Plus}
                        loading={creating === t.id}
                        onClick={() => void create(t)}
                        aria-label={`Use template ${t.title}`}
                      >
                        Use template
                      </Button>
                    )}
                  >
                    <WidgetPreview
                      label={`${t.title} on your data`}
                      load={() => widgetsApi.preview(org.id, t.id, t.defaults)}
                      deps={[org.id, t.id]}
                    />
                  </Card>
                ))}
              </div>
            </section>
            {embed && (
              <>
                <EmbedsPanel api={widgetsApi} orgId={org.id} />
                <OriginsEditor api={widgetsApi} orgId={org.id} />
              </>
            )}
          </div>
        )}
    </>
  );
}
