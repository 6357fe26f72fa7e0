import { crons, SINCE } from "../abstract/admin-operations.ts";
import type { AdminCrons, CronJob } from "../abstract/admin-types.ts";
import { NotFoundError } from "../abstract/errors/index.ts";
import type { RequestOptions } from "../abstract/types.ts";
import type { Client } from "./client.ts";
import { since } from "./since.ts";

/** `env.admin.crons`: the server's cron jobs (superuser; PocketBase 0.24 or newer). */
export class AsyncAdminCrons implements AdminCrons<"async"> {
  readonly #client: Client;

  constructor(client: Client) {
    this.#client = client;
  }

  async list(options?: RequestOptions): Promise<CronJob[]> {
    return since(SINCE.crons, "admin.crons.list()", () =>
      this.#client.request<CronJob[]>(crons.list(options?.query), options),
    );
  }

  async run(id: string, options?: RequestOptions): Promise<void> {
    try {
      await this.#client.request(crons.run(id, options?.query), options);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // A job the server does not have, or no crons API at all: the list tells which.
      await since(SINCE.crons, "admin.crons.run()", () => this.#client.request(crons.list(), options));
      throw error;
    }
  }
}
