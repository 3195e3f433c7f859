/**
 * One widget on a dashboard: reads `GET /widgets/:id/data` with the page's
 * filters and draws it, framed, with the Widgets page's renderer
 * ({@linkcode WidgetView}).
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Card } from "../../components/card.tsx";
import { Loader } from "../../components/loader.tsx";
import { useApp } from "../../app/services.ts";
import { errorMessage } from "../../lib/api_error.ts";
import { type ResponseOf, typedClient } from "../../lib/typed_client.ts";
import { WidgetView } from "../widgets/widget_view.tsx";

type WidgetData = ResponseOf<"GET /widgets/:widgetId/data">["data"];

/** The page's filters and what a tile needs to label its data. */
export interface TileContext {
  instanceIds: string[];
  framework: string | null;
  /** Instance id → name (a trend's lines). */
  instanceNames: ReadonlyMap<string, string>;
  /** Bumped when a sync or run finishes: the tile reads again. */
  refresh: number;
}

/** A widget tile: its data, loading and error states. */
export function WidgetTile(
  props: { widgetId: string; name: string; context: TileContext },
): JSX.Element {
  const { api } = useApp();
  const [data, setData] = useState<WidgetData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { instanceIds, framework, instanceNames, refresh } = props.context;
  useEffect(() => {
    const abort = new AbortController();
    typedClient(api)("GET /widgets/:widgetId/data", {
      params: { widgetId: props.widgetId },
      query: {
        instance_ids: instanceIds.length ? instanceIds.join(",") : undefined,
        framework: framework ?? undefined,
      },
      signal: abort.signal,
    }).then((res) => {
      setData(res.data);
      setError(null);
    }, (cause) => {
      if (!abort.signal.aborted) setError(errorMessage(cause));
    });
    return () => abort.abort();
  }, [props.widgetId, instanceIds.join(","), framework, refresh]);

  if (error && !data) {
    return (
      <Card class="h-full" title={props.name}>
        <p class="text-sm text-red-700 dark:text-red-400" role="alert">{error}</p>
      </Card>
    );
  }
  if (!data) {
    return (
      <Card class="h-full" title={props.name}>
        <Loader label={`Loading ${props.name}`} />
      </Card>
    );
  }
  return (
    <WidgetView
      template={data.template}
      data={data.data}
      title={props.name}
      context={{ instanceNames, links: { instanceId: instanceIds[0] ?? null } }}
    />
  );
}
