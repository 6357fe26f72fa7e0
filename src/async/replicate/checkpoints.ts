// Checkpoints live on the target, in one superuser-only collection (`pocketmap_replication`): they are
// as durable as the data they describe (a target restored from a backup, or wiped, takes its
// checkpoints with it), and any process that replicates to it resumes where the last one stopped.
// Each is keyed by the source's URL, the source collection's id and the filter; it holds the source's
// `updated` and `id` of the last record written, and the records written within the overlap before
// it (bounded), so that reading the overlap again writes nothing twice.
import type { Environment } from "../../abstract/environment-types.ts";
import { CHECKPOINTS } from "./plan.ts";

/** The most records a checkpoint remembers from its overlap (beyond it, re-reads are re-written). */
export const RECENT_LIMIT = 1000;

/** Where a collection's replication stands. */
export interface Checkpoint {
  /** The source's `updated` of the last record written. */
  updated: string;
  /** Its id (records of equal `updated` come in id order). */
  id: string;
  /**
   * Every source record with `updated` at or before this had committed when the records up to the
   * checkpoint were read ("" when unknown): a resume starts no earlier than the later of this and the
   * overlap before `updated`, and exactly at the checkpoint once this passes it.
   */
  settled: string;
  /** Records written with `updated` within the overlap before `updated`: id → `updated`. */
  recent: Record<string, string>;
}

const MODEL = {
  name: CHECKPOINTS,
  type: "base",
  // Superusers only: checkpoints name the source's URL.
  listRule: null,
  viewRule: null,
  createRule: null,
  updateRule: null,
  deleteRule: null,
  fields: [
    { name: "key", type: "text", max: 2000 },
    { name: "updated", type: "text" },
    { name: "rid", type: "text" },
    { name: "settled", type: "text" },
    { name: "recent", type: "json", maxSize: 2_000_000 },
  ],
};

/** The checkpoints of one (source, target) pair, on the target. */
export class CheckpointStore {
  readonly #target: Environment<"async">;
  readonly #source: string;
  #ready: Promise<void> | undefined;

  constructor(target: Environment<"async">, sourceUrl: string) {
    this.#target = target;
    this.#source = sourceUrl;
  }

  /** Creates the checkpoints collection on the target, once. */
  ready(): Promise<void> {
    this.#ready ??= (async () => {
      if (await this.#target.admin.collections.get(CHECKPOINTS)) return;
      await this.#target.admin.collections.create(MODEL);
    })();
    return this.#ready;
  }

  /** The record id of a checkpoint: a hash of its key, as PocketBase ids are (15 of [a-z0-9]). */
  async #id(collectionId: string, filter: string): Promise<{ id: string; key: string }> {
    const key = JSON.stringify([this.#source, collectionId, filter]);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    return { id: hex.slice(0, 15), key };
  }

  async load(collectionId: string, filter: string): Promise<Checkpoint | undefined> {
    await this.ready();
    const { id } = await this.#id(collectionId, filter);
    const found = await this.#target.collection(CHECKPOINTS).get(id);
    if (!found || typeof found.updated !== "string" || found.updated === "") return undefined;
    return {
      updated: found.updated,
      id: String(found.rid),
      settled: typeof found.settled === "string" ? found.settled : "",
      recent: (found.recent as Record<string, string> | null) ?? {},
    };
  }

  async save(collectionId: string, filter: string, checkpoint: Checkpoint): Promise<void> {
    const { id, key } = await this.#id(collectionId, filter);
    await this.#target.collection(CHECKPOINTS).set(id, {
      key,
      updated: checkpoint.updated,
      rid: checkpoint.id,
      settled: checkpoint.settled,
      recent: checkpoint.recent,
    });
  }
}
