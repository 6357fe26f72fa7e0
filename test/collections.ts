// Collection models the tests create through the API.
const text = (name: string) => ({ name, type: "text" });

export const SHARED_COLLECTIONS: Record<string, unknown>[] = [
  {
    name: "authors",
    type: "base",
    listRule: "",
    viewRule: "",
    fields: [text("name")],
  },
];

/** A base collection open to everyone, with a field of each common type. */
export function postsModel(name: string, authorsId: string): Record<string, unknown> {
  return {
    name,
    type: "base",
    listRule: "",
    viewRule: "",
    createRule: "",
    updateRule: "",
    deleteRule: "",
    fields: [
      text("title"),
      text("body"),
      { name: "status", type: "text" },
      { name: "n", type: "number" },
      { name: "price", type: "number" },
      { name: "featured", type: "bool" },
      { name: "meta", type: "json" },
      { name: "email", type: "email" },
      { name: "published", type: "date" },
      { name: "author", type: "relation", collectionId: authorsId, maxSelect: 1 },
      { name: "created", type: "autodate", onCreate: true },
      { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
    ],
  };
}

/** The autodate fields PocketBase gives a collection made in its dashboard. */
export const AUTODATES = [
  { name: "created", type: "autodate", onCreate: true, onUpdate: false },
  { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
];

/** A superuser-only base collection of `title` and `n`, with autodates (the replication tests'). */
export function notesModel(name: string): Record<string, unknown> & { name: string } {
  return { name, type: "base", fields: [text("title"), { name: "n", type: "number" }, ...AUTODATES] };
}
