/**
 * Widgets: templates (as data) over the posture aggregates, versioned widgets,
 * embeds of a widget version for pages outside the app, and the embed page.
 * See docs/widgets.md.
 *
 * @module
 */

export {
  createDashboard,
  createDashboardSchema,
  dashboardSchema,
  deleteDashboard,
  getDashboard,
  listDashboards,
  MAX_ORG_DASHBOARDS,
  MAX_PERSONAL_DASHBOARDS,
  updateDashboard,
  updateDashboardSchema,
} from "./dashboards.ts";
export type { WidgetDashboard } from "./dashboards.ts";
export {
  GRID_COLUMNS,
  layoutSchema,
  MAX_TILE_HEIGHT,
  MAX_TILES,
  overlaps,
  readingOrder,
  tileSchema,
} from "./layout.ts";
export type { Tile } from "./layout.ts";
export { parseWidgetConfig, templateOf } from "./config.ts";
export { readWidgetData } from "./data.ts";
export type { WidgetData, WidgetServices } from "./data.ts";
export {
  createdEmbedSchema,
  createEmbed,
  createEmbedSchema,
  embedOriginsSchema,
  embedSchema,
  listEmbedOrigins,
  listEmbeds,
  moveEmbed,
  moveEmbedSchema,
  resolveEmbed,
  revokeEmbed,
  setEmbedOrigins,
} from "./embeds.ts";
export type { Embed, ResolvedEmbed } from "./embeds.ts";
export { embedCsp, renderEmbedPage } from "./embed_page.ts";
export {
  createWidget,
  createWidgetSchema,
  deleteWidget,
  getWidget,
  listVersions,
  listWidgets,
  listWidgetsQuerySchema,
  requireWidget,
  rollbackSchema,
  rollbackWidget,
  updateWidget,
  updateWidgetSchema,
  versionOf,
  widgetSchema,
  widgetVersionSchema,
} from "./store.ts";
export type { Widget, WidgetVersion } from "./store.ts";
export { TEMPLATE_IDS, WIDGET_TEMPLATES } from "./templates.ts";
export type { WidgetScope, WidgetSource, WidgetTemplate } from "./templates.ts";
export { EMBED_TOKEN_PATTERN, generateEmbedToken, parseEmbedToken } from "./token.ts";
