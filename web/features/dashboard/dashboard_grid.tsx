/**
 * A dashboard's tiles on the 12-column grid (one column below the `lg`
 * breakpoint, in reading order), and in edit mode the buttons that move,
 * resize and remove each tile — every one reachable and named for the keyboard.
 *
 * @module
 */
import type { JSX } from "preact";
import type { IconNode } from "lucide";
import {
  ArrowDown,
  ArrowLeft,
  ArrowRight,
  ArrowUp,
  ChevronsDownUp,
  ChevronsLeftRight,
  ChevronsRightLeft,
  ChevronsUpDown,
  Trash2,
} from "lucide";
import { Button } from "../../components/button.tsx";
import { type Direction, move, readingOrder, remove, resize, type Tile } from "./layout_edit.ts";
import { type TileContext, WidgetTile } from "./widget_tile.tsx";

/** Props of {@linkcode DashboardGrid}. */
export interface DashboardGridProps {
  tiles: Tile[];
  /** Widget id → name. */
  names: ReadonlyMap<string, string>;
  context: TileContext;
  /** Edit mode: each tile gets its arrange buttons. */
  editing: boolean;
  onChange: (tiles: Tile[]) => void;
}

/** The tiles of a dashboard. */
export function DashboardGrid(props: DashboardGridProps): JSX.Element {
  return (
    <div class="grid grid-cols-1 gap-4 lg:grid-cols-12 lg:auto-rows-[minmax(2.5rem,auto)]">
      {readingOrder(props.tiles).map((t) => {
        const name = props.names.get(t.widget_id) ?? "Widget";
        const style = {
          "--tile-col": `${t.x + 1} / span ${t.w}`,
          "--tile-row": `${t.y + 1} / span ${t.h}`,
        } as Record<string, string>;
        return (
          <section
            key={t.widget_id}
            aria-label={name}
            data-tile={t.widget_id}
            style={style}
            class="flex min-w-0 flex-col gap-2 lg:[grid-column:var(--tile-col)] lg:[grid-row:var(--tile-row)] *:min-w-0"
          >
            <div class="flex-1">
              <WidgetTile widgetId={t.widget_id} name={name} context={props.context} />
            </div>
            {props.editing && (
              <TileControls
                tile={t}
                name={name}
                onChange={(f) => props.onChange(f(props.tiles))}
              />
            )}
          </section>
        );
      })}
    </div>
  );
}

function TileControls(
  props: { tile: Tile; name: string; onChange: (edit: (tiles: Tile[]) => Tile[]) => void },
): JSX.Element {
  const id = props.tile.widget_id;
  const go = (to: Direction) => () => props.onChange((tiles) => move(tiles, id, to));
  const size = (dim: "w" | "h", delta: number) => () =>
    props.onChange((tiles) => resize(tiles, id, dim, delta));
  const buttons: [string, IconNode, () => void, boolean][] = [
    ["Move left", ArrowLeft, go("left"), false],
    ["Move right", ArrowRight, go("right"), false],
    ["Move up", ArrowUp, go("up"), false],
    ["Move down", ArrowDown, go("down"), false],
    ["Wider", ChevronsLeftRight, size("w", 1), props.tile.w >= 12],
    ["Narrower", ChevronsRightLeft, size("w", -1), props.tile.w <= 1],
    ["Taller", ChevronsUpDown, size("h", 1), props.tile.h >= 12],
    ["Shorter", ChevronsDownUp, size("h", -1), props.tile.h <= 1],
  ];
  return (
    <div
      role="group"
      aria-label={`Arrange ${props.name}`}
      class="flex flex-wrap items-center gap-1 rounded-lg border border-dashed border-line-strong bg-surface-muted p-1.5"
    >
      {buttons.map(([label, icon, onClick, disabled]) => (
        <Button
          key={label}
          size="sm"
          variant="ghost"
          icon={icon}
          aria-label={`${label}: ${props.name}`}
          title={label}
          disabled={disabled}
          onClick={onClick}
        />
      ))}
      <span class="px-1 text-xs tabular-nums text-fg-muted" aria-live="polite">
        {props.tile.w} × {props.tile.h}
      </span>
      <Button
        size="sm"
        variant="ghost"
        icon={Trash2}
        class="ml-auto"
        aria-label={`Remove: ${props.name}`}
        onClick={() => props.onChange((tiles) => remove(tiles, id))}
      >
        Remove
      </Button>
    </div>
  );
}
