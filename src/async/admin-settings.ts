import type {
  AdminSettings,
  AppleClientSecretInput,
  EmailTemplate,
  Settings,
  TestEmailOptions,
} from "../abstract/admin-types.ts";
import { type RequestSpec, settings } from "../abstract/operations.ts";
import { settingsRequests, withQuery } from "../abstract/settings-backups.ts";
import type { RequestOptions } from "../abstract/types.ts";
import type { Client } from "./client.ts";

/**
 * `env.admin.settings`: the server's settings (superuser). Secrets a patch carries (the SMTP password,
 * S3 secrets) are kept out of errors by the transport, which finds them by their keys.
 */
export class AsyncAdminSettings implements AdminSettings<"async"> {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  #send<T>(spec: RequestSpec, options: RequestOptions | undefined): Promise<T> {
    return this.#client.request<T>(withQuery(spec, options), options);
  }

  async get(options?: RequestOptions): Promise<Settings> {
    return this.#send(settings.get(), options);
  }

  async update(patch: Record<string, unknown>, options?: RequestOptions): Promise<Settings> {
    return this.#send(settings.update(patch), options);
  }

  async testS3(filesystem: "storage" | "backups" = "storage", options?: RequestOptions): Promise<void> {
    await this.#send(settingsRequests.testS3(filesystem), options);
  }

  async testEmail(to: string, template: EmailTemplate, options?: TestEmailOptions): Promise<void> {
    await this.#send(settingsRequests.testEmail(to, template, options?.collection), options);
  }

  async generateAppleClientSecret(input: AppleClientSecretInput, options?: RequestOptions): Promise<string> {
    const answer = await this.#send<{ secret?: unknown }>(settingsRequests.appleClientSecret(input), options);
    return String(answer.secret ?? "");
  }
}
