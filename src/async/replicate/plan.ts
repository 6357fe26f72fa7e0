// Which collections a replication copies, in which order: relations are checked on write, so a
// collection comes after the collections it points to. A cycle of relations (a self relation too) is
// one group whose fields inside the group are written in a second pass, once every record exists.
import type { CollectionModel } from "../../abstract/admin-types.ts";
import type { Environment } from "../../abstract/environment-types.ts";
import { InvalidInputError } from "../../abstract/errors/index.ts";

/** The collection on each target that holds its replication checkpoints; never replicated. */
export const CHECKPOINTS = "pocketmap_replication";

/** One collection's part of the plan. */
export interface CollectionPlan {
  model: CollectionModel;
  name: string;
  /** "base", "auth" or "view" (a view's records are the server's to compute: only its schema is copied). */
  type: string;
  fileFields: string[];
  /** Relation fields that point into this collection's own cycle, and where. */
  cycleRelations: { field: string; to: string }[];
  /**
   * The cycle's relation fields whose values are written in the second pass: those pointing to this
   * collection or one written after it in the cycle (set by `orderCycle`).
   */
  cyclicFields: string[];
  /** The autodate fields (the target sets them itself; never sent). */
  autodates: string[];
  /** Whether changes can be found by the `updated` autodate (else every run reads all records). */
  incremental: boolean;
  /** Its relation cycle's number (collections of one cycle share it; order follows the plan). */
  group: number;
}

/** Every collection model of the source, page by page. */
export async function readModels(source: Environment<"async">): Promise<CollectionModel[]> {
  const models: CollectionModel[] = [];
  for (let page = 1; ; page++) {
    const result = await source.admin.collections.list({ page, perPage: 200, sort: "created" });
    models.push(...result.items);
    if (page >= result.totalPages || result.items.length === 0) return models;
  }
}

/** The relation targets (collection ids) of a model's relation fields. */
function relationsOf(model: CollectionModel): { field: string; to: string }[] {
  return model.fields
    .filter((field) => field.type === "relation" && typeof field.collectionId === "string")
    .map((field) => ({ field: field.name, to: field.collectionId as string }));
}

/**
 * The collections to copy (the ones asked for, or every non-system one, plus what their relations
 * point to), dependencies first, with each collection's cyclic relation fields.
 */
export function plan(models: readonly CollectionModel[], names?: readonly string[]): CollectionPlan[] {
  const byId = new Map(models.map((model) => [model.id, model]));
  const byName = new Map(models.map((model) => [model.name, model]));
  const wanted = names
    ? names.map((name) => {
        const model = byName.get(name);
        if (!model)
          throw new InvalidInputError(`pocketmap: replicate(): the source has no collection "${name}"`);
        if (model.system)
          throw new InvalidInputError(`pocketmap: replicate(): "${name}" is a system collection`);
        return model;
      })
    : models.filter((model) => !model.system && model.name !== CHECKPOINTS);
  // Relation targets come along: the target refuses a relation to a record it does not have.
  const chosen = new Map<string, CollectionModel>();
  const add = (model: CollectionModel): void => {
    if (chosen.has(model.id) || model.system) return;
    chosen.set(model.id, model);
    for (const { to } of relationsOf(model)) {
      const target = byId.get(to);
      if (target) add(target);
    }
  };
  for (const model of wanted) add(model);
  return groups([...chosen.values()]).flatMap((group, number) => {
    const ids = new Set(group.map((model) => model.id));
    return group.map((model) => describeModel(model, ids, number));
  });
}

function describeModel(model: CollectionModel, group: ReadonlySet<string>, number: number): CollectionPlan {
  const fields = model.fields;
  const autodates = fields.filter((field) => field.type === "autodate").map((field) => field.name);
  return {
    model,
    name: model.name,
    type: model.type,
    fileFields: fields.filter((field) => field.type === "file").map((field) => field.name),
    cycleRelations: relationsOf(model).filter(({ to }) => group.has(to)),
    cyclicFields: [],
    autodates,
    incremental: autodates.includes("updated"),
    group: number,
  };
}

/**
 * Tarjan's strongly connected components of the relation graph: each component comes after every
 * component it points to, so writing them in this order meets every relation's target first.
 */
function groups(models: readonly CollectionModel[]): CollectionModel[][] {
  const ids = new Map(models.map((model) => [model.id, model]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: CollectionModel[][] = [];
  let next = 0;
  const visit = (id: string): void => {
    index.set(id, next);
    low.set(id, next);
    next++;
    stack.push(id);
    onStack.add(id);
    for (const { to } of relationsOf(ids.get(id)!)) {
      if (!ids.has(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(id, Math.min(low.get(id)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(id, Math.min(low.get(id)!, index.get(to)!));
      }
    }
    if (low.get(id) !== index.get(id)) return;
    const group: CollectionModel[] = [];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      onStack.delete(top);
      group.push(ids.get(top)!);
      if (top === id) break;
    }
    out.push(group);
  };
  for (const model of models) if (!index.has(model.id)) visit(model.id);
  return out;
}

/**
 * Orders a cycle's collections (smallest first, so that the relations of the larger ones, pointing
 * back, can be written in the first pass) and sets which fields wait for the second pass.
 */
export function orderCycle(group: CollectionPlan[], sizes: ReadonlyMap<string, number>): CollectionPlan[] {
  const ordered = [...group].sort((a, b) => (sizes.get(a.name) ?? 0) - (sizes.get(b.name) ?? 0));
  const position = new Map(ordered.map((p, i) => [p.model.id, i]));
  for (const [i, p] of ordered.entries()) {
    p.cyclicFields = p.cycleRelations
      .filter(({ to }) => (position.get(to) ?? 0) >= i)
      .map(({ field }) => field);
  }
  return ordered;
}

/** Copies the planned collections' models to the target (creating or updating; deleting nothing). */
export async function copySchema(
  target: Environment<"async">,
  plans: readonly CollectionPlan[],
): Promise<void> {
  // The target sets its own timestamps; a model's other keys are the schema.
  const models = plans.map(({ model }) => {
    const {
      created: _c,
      updated: _u,
      ...rest
    } = model as CollectionModel & { created?: unknown; updated?: unknown };
    return rest;
  });
  if (models.length > 0) await target.admin.collections.import(models, { deleteMissing: false });
}
