// File uploads against the real server: every kind of file value, one and several per field, stored
// byte for byte (downloaded back and compared).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AsyncEnvironment, BaseRecord } from "../src/index.ts";
import { server, superuserEnv, superuserToken, uniqueName } from "./helpers.ts";
import { KINDS, openEnv } from "./kinds.ts";

// Every byte value, twice, so that a text or UTF-8 round trip anywhere would show.
const binary = new Uint8Array(512).map((_, index) => index % 256);

let name: string;
let token: string;

beforeAll(async () => {
  name = uniqueName("uploads");
  const admin = superuserEnv();
  await admin.createCollection({
    name,
    type: "base",
    fields: [
      { name: "title", type: "text" },
      { name: "doc", type: "file", maxSelect: 1, maxSize: 1_000_000 },
      { name: "docs", type: "file", maxSelect: 10, maxSize: 1_000_000 },
    ],
  });
  await admin.close();
  token = await superuserToken();
});

async function download(record: BaseRecord, filename: string): Promise<Uint8Array> {
  const response = await fetch(`${server().url}/api/files/${name}/${record.id}/${filename}`, {
    headers: { authorization: token },
  });
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

describe.each(KINDS)("file uploads (%s kind)", (kind) => {
  let env: AsyncEnvironment;
  beforeAll(() => {
    env = openEnv(kind);
  });
  afterAll(() => env.close());

  const values = () => {
    const pooled = Buffer.from(binary);
    // A view into a larger buffer: only its own bytes may travel.
    const backing = new Uint8Array(binary.length + 20).fill(0xee);
    backing.set(binary, 10);
    return {
      File: { value: new File([binary], "every-byte.bin"), bytes: binary },
      Blob: { value: new Blob([binary]), bytes: binary },
      Buffer: { value: pooled, bytes: binary },
      Uint8Array: { value: backing.subarray(10, 10 + binary.length), bytes: binary },
      "text File": {
        value: new File(["abc"], "a.txt", { type: "text/plain" }),
        bytes: new Uint8Array([97, 98, 99]),
      },
    };
  };

  it.each(Object.keys(values()))("one %s in a field, with other fields alongside", async (key) => {
    const { value, bytes } = values()[key as keyof ReturnType<typeof values>];
    const record = await env.collection(name).create({ title: key, doc: value });
    expect(record.title).toBe(key);
    expect(typeof record.doc).toBe("string");
    expect(await download(record, record.doc as string)).toEqual(bytes);
  });

  it("several files of every kind in one field, on create and on update", async () => {
    const all = Object.values(values());
    const record = await env
      .collection(name)
      .create({ title: "several", docs: all.map((item) => item.value) });
    const stored = record.docs as string[];
    expect(stored).toHaveLength(all.length);
    for (const [index, filename] of stored.entries()) {
      expect(await download(record, filename)).toEqual(all[index]!.bytes);
    }
    expect(stored[0]).toMatch(/^every_byte_\w+\.bin$/);

    const updated = await env
      .collection(name)
      .update(record.id, { doc: new Blob([binary.slice(0, 3)]), title: "updated" });
    expect(updated.title).toBe("updated");
    expect(updated.docs).toEqual(stored);
    expect(await download(updated, updated.doc as string)).toEqual(binary.slice(0, 3));
  });
});
