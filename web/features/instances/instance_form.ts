/**
 * The add/edit form's state and its translation into API bodies. Credential
 * fields start empty, always: saved secrets are never sent to the browser, and
 * on an edit blank fields keep what is saved.
 *
 * @module
 */
import type { AuthType, Instance, InstanceCredentials } from "./instances_api.ts";

/** What the form holds. */
export interface InstanceForm {
  name: string;
  url: string;
  authType: AuthType;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
}

/** Field errors, by field. */
export type InstanceFormErrors = Partial<Record<keyof InstanceForm, string>>;

/** An empty form for a new instance. */
export function emptyForm(): InstanceForm {
  return {
    name: "",
    url: "",
    authType: "basic",
    username: "",
    password: "",
    clientId: "",
    clientSecret: "",
  };
}

/**
 * The form for editing an instance: its name, URL and auth type; no secrets.
 *
 * @param instance the saved instance
 */
export function formFromInstance(instance: Instance): InstanceForm {
  return { ...emptyForm(), name: instance.name, url: instance.url, authType: instance.auth_type };
}

function needed(type: AuthType): (keyof InstanceForm)[] {
  return type === "basic"
    ? ["username", "password"]
    : type === "oauth_client_credentials"
    ? ["clientId", "clientSecret"]
    : ["clientId", "clientSecret", "username", "password"];
}

/** Whether any credential field of the chosen type has been filled in. */
export function credentialsTouched(form: InstanceForm): boolean {
  return needed(form.authType).some((f) => form[f].trim() !== "");
}

/**
 * The credentials the form describes, or null when none were entered.
 *
 * @param form the form
 */
export function credentialsOf(form: InstanceForm): InstanceCredentials | null {
  if (!credentialsTouched(form)) return null;
  switch (form.authType) {
    case "basic":
      return { type: "basic", username: form.username.trim(), password: form.password };
    case "oauth_client_credentials":
      return {
        type: "oauth_client_credentials",
        client_id: form.clientId.trim(),
        client_secret: form.clientSecret,
      };
    case "oauth_password":
      return {
        type: "oauth_password",
        client_id: form.clientId.trim(),
        client_secret: form.clientSecret,
        username: form.username.trim(),
        password: form.password,
      };
  }
}

/**
 * Checks the form. On an edit, credentials may be left blank (the saved ones
 * stay), unless the authentication type changes; once one credential field is
 * filled in, all of that type's are needed.
 *
 * @param form the form
 * @param editing the instance being edited, if any
 */
export function validateForm(form: InstanceForm, editing: Instance | null): InstanceFormErrors {
  const errors: InstanceFormErrors = {};
  if (!form.name.trim()) errors.name = "Enter a name.";
  else if (form.name.trim().length > 100) errors.name = "Use at most 100 characters.";
  if (!form.url.trim()) errors.url = "Enter the instance URL or its name, e.g. acme.";
  const typeChanged = editing !== null && editing.auth_type !== form.authType;
  if (!editing || typeChanged || credentialsTouched(form)) {
    for (const field of needed(form.authType)) {
      if (!form[field].trim()) {
        errors[field] = typeChanged && !credentialsTouched(form)
          ? "A new authentication type needs new credentials."
          : "Required.";
      }
    }
  }
  return errors;
}

/** A fingerprint of what a connection test depends on, to tell when a result is stale. */
export function connectionKey(form: InstanceForm): string {
  return JSON.stringify([
    form.url.trim(),
    form.authType,
    form.username,
    form.password,
    form.clientId,
    form.clientSecret,
  ]);
}
