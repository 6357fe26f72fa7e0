// The `fields` list PocketBase takes: `id,title,expand.author.name,body:excerpt(200,true)`.

/** The entries of a fields list, split at commas outside parentheses, modifiers removed. */
export function fieldEntries(fields: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index <= fields.length; index++) {
    const char = fields[index];
    if (char === "(") depth++;
    else if (char === ")") depth = Math.max(0, depth - 1);
    else if (index === fields.length || (char === "," && depth === 0)) {
      out.push(fields.slice(start, index).split(":")[0]!.trim());
      start = index + 1;
    }
  }
  return out;
}

/** Whether a fields list returns the record id (it names `id`, or `*`, at the top level). */
export function fieldsIncludeId(fields: string | undefined): boolean {
  return fields === undefined || fieldEntries(fields).some((entry) => entry === "id" || entry === "*");
}
