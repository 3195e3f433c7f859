import { HttpError } from "../http/errors.ts";
import { WIDGET_TEMPLATES, type WidgetTemplate } from "./templates.ts";

/**
 * The template with this id.
 *
 * @param id the template id
 * @throws {HttpError} 400 for an unknown template
 */
export function templateOf(id: string): WidgetTemplate {
  const template = WIDGET_TEMPLATES[id];
  if (!template) {
    throw new HttpError(400, `There is no widget template "${id}"`, {
      code: "validation_failed",
      details: [{ path: "template", message: `Use one of: ${Object.keys(WIDGET_TEMPLATES)}` }],
    });
  }
  return template;
}

/**
 * A configuration validated against its template, with the defaults filled in.
 *
 * @param templateId the template
 * @param input the configuration as sent
 * @throws {HttpError} 400 listing each field that is not valid
 */
export function parseWidgetConfig(templateId: string, input: unknown): Record<string, unknown> {
  const parsed = templateOf(templateId).config.safeParse(input ?? {});
  if (!parsed.success) {
    throw new HttpError(400, `The configuration is not valid for the ${templateId} template`, {
      code: "validation_failed",
      details: parsed.error.issues.map((issue) => ({
        path: ["config", ...issue.path.map(String)].join("."),
        message: issue.message,
      })),
    });
  }
  return parsed.data as Record<string, unknown>;
}
