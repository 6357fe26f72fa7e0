// The request pipeline's hooks, seen at a proxy in front of the real PocketBase: what they see, in what
// order, on every kind of request (record calls, logins, token refreshes, realtime subscriptions,
// batches), inherited by env.as() identities; a hook that throws fails its call with its own error.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AfterSend,
  type AsyncEnvironment,
  type BeforeSend,
  type HookRequest,
  type HookResponse,
  InvalidInputError,
  NetworkError,
  NotFoundError,
  setup,
} from "../src/index.ts";
import { type FaultProxy, faultProxy, type SeenRequest } from "./fault-proxy.ts";
import { freshPosts, server, superuserEnv, uniqueName } from "./helpers.ts";
import { failure, KINDS, openEnvWith, settle } from "./kinds.ts";

/** The values of header `name` (any letter case) in raw header lines. */
function headerValues(request: SeenRequest, name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < request.headers.length; i += 2) {
    if (request.headers[i]!.toLowerCase() === name) values.push(request.headers[i + 1]!);
  }
  return values;
}

let proxy: FaultProxy;
let collection: string;
let admin: AsyncEnvironment;

beforeAll(async () => {
  proxy = await faultProxy();
  admin = superuserEnv();
  collection = await freshPosts(admin, "hooks");
  await admin.collection(collection).set("hookpost0000001", { title: "one", n: 1 });
});
afterAll(async () => {
  await admin.close();
  await proxy.close();
});

describe.each(KINDS)("hooks (%s kind)", (kind) => {
  const { email, password } = server();
  const open = (hooks: { beforeSend?: BeforeSend | BeforeSend[]; afterSend?: AfterSend | AfterSend[] }) =>
    openEnvWith(kind, { url: proxy.url, email, password, retries: 2, ...hooks });

  it("beforeSend sees every request as sent, in order, and what it adds arrives", async () => {
    const seen: HookRequest[] = [];
    const order: string[] = [];
    const env = open({
      beforeSend: [
        (request) => {
          order.push("first");
          seen.push(
            structuredClone({
              ...request,
              body: typeof request.body === "string" ? request.body : undefined,
            }),
          );
          request.headers["x-first"] = "1";
        },
        (request) => {
          order.push("second");
          return {
            ...request,
            headers: { ...request.headers, "x-second": request.headers["x-first"] ?? "" },
          };
        },
      ],
    });
    try {
      await proxy.seen();
      const record = await env.collection(collection).getOne("hookpost0000001");
      expect(record.title).toBe("one");
      // The superuser login, then the record call: both through the hooks, in order.
      expect(seen.map((request) => `${request.method} ${new URL(request.url).pathname}`)).toEqual([
        "POST /api/collections/_superusers/auth-with-password",
        `GET /api/collections/${collection}/records/hookpost0000001`,
      ]);
      expect(order).toEqual(["first", "second", "first", "second"]);
      const [login, read] = seen as [HookRequest, HookRequest];
      expect(login.body).toContain('"identity"');
      expect(Object.keys(read.headers).every((name) => name === name.toLowerCase())).toBe(true);
      expect(read.headers.authorization).toMatch(/^ey/);
      const arrived = await proxy.seen();
      const last = arrived.at(-1)!;
      expect(headerValues(last, "x-first")).toEqual(["1"]);
      expect(headerValues(last, "x-second")).toEqual(["1"]);
      expect(headerValues(last, "authorization")).toHaveLength(1);
    } finally {
      await env.close();
    }
  });

  it("beforeSend runs once per attempt, retries included", async () => {
    let calls = 0;
    const env = open({ beforeSend: () => void calls++ });
    try {
      await env.collection(collection).getOne("hookpost0000001"); // logs in first
      calls = 0;
      await proxy.inject({ path: "/records/hookpost0000001", action: "drop" });
      const error = await failure(() => env.collection(collection).getOne("hookpost0000001"));
      expect(error).toBeInstanceOf(NetworkError);
      expect(calls).toBe(3);
    } finally {
      await proxy.inject(undefined);
      await env.close();
    }
  });

  it("afterSend sees every answer, errors included, and may replace the data", async () => {
    const seen: HookResponse[] = [];
    const env = open({
      afterSend: [
        (response) => {
          seen.push(structuredClone({ ...response, request: { ...response.request, body: undefined } }));
        },
        (response) =>
          response.status === 200 && (response.data as { id?: string } | undefined)?.id === "hookpost0000001"
            ? { ...(response.data as object), title: "changed by the hook" }
            : undefined,
      ],
    });
    try {
      const record = await env.collection(collection).getOne("hookpost0000001");
      expect(record.title).toBe("changed by the hook");
      const missing = await failure(() => env.collection(collection).getOne("nosuchrecord000"));
      expect(missing).toBeInstanceOf(NotFoundError);
      const statuses = seen.map((response) => response.status);
      expect(statuses).toEqual([200, 200, 404]);
      expect(seen[2]!.headers["content-type"]).toMatch(/json/);
      expect(seen[2]!.data).toMatchObject({ status: 404 });
    } finally {
      await env.close();
    }
  });

  it("a hook that throws fails that call with its own error, and nothing else", async () => {
    class Refused extends Error {}
    const refused = new Refused("no writes today");
    const env = open({
      beforeSend: (request) => {
        if (request.method === "POST" && request.url.includes("/records")) throw refused;
      },
    });
    try {
      const error = await failure(() => env.collection(collection).create({ title: "never" }));
      expect(error).toBe(refused);
      expect((await env.collection(collection).getOne("hookpost0000001")).title).toBe("one");
    } finally {
      await env.close();
    }
  });

  /** Requests other than record calls, each with what it sends (method and path) and a call that sends it. */
  const OTHER_REQUESTS: [
    what: string,
    request: string,
    call: (env: AsyncEnvironment, token: string) => unknown,
  ][] = [
    [
      "a login",
      "POST /api/collections/_superusers/auth-with-password",
      (env) => env.collection("_superusers").auth.withPassword(email, password),
    ],
    [
      "a token refresh",
      "POST /api/collections/_superusers/auth-refresh",
      (env, token) => env.collection("_superusers").auth.refresh(token),
    ],
    [
      "a realtime subscription",
      "POST /api/realtime",
      (env) => env.collection(collection).subscribe("*", () => {}),
    ],
    [
      "a batch",
      "POST /api/batch",
      (env) => env.collection(collection).createMany([{ title: "never" }, { title: "never" }]),
    ],
  ];

  // Through the environment, and through an env.as() identity, which inherits the hook.
  const REFUSALS = OTHER_REQUESTS.flatMap(([what, request, call]) =>
    (["the environment", "an env.as() identity"] as const).map((through) => ({
      what,
      request,
      call,
      through,
    })),
  );

  it.each(REFUSALS)(
    "a beforeSend that throws fails $what with its own error, through $through, and nothing is written",
    async ({ request, call, through }) => {
      class Refused extends Error {}
      const refused = new Refused(`no ${request}`);
      let armed = false;
      const env = open({
        beforeSend: (sent) => {
          if (armed && `${sent.method} ${new URL(sent.url).pathname}` === request) throw refused;
        },
      });
      try {
        // The environment's own login, before the hook refuses logins.
        await env.collection(collection).getOne("hookpost0000001");
        const { token } = await admin.collection("_superusers").auth(email, password);
        const on = through === "the environment" ? env : env.as(token);
        await proxy.seen();
        armed = true;
        const error = await failure(() => call(on, token));
        expect(error).toBe(refused);
        // Not that request, nor a fallback for it (a batch's one by one writes): no POST at all.
        const arrived = (await proxy.seen()).map((seen) => `${seen.method} ${seen.path.split("?")[0]}`);
        expect(arrived.filter((line) => line.startsWith("POST "))).toEqual([]);
      } finally {
        armed = false;
        await env.close();
      }
    },
  );

  it("hooks see logins, token refreshes, realtime subscriptions and batches", async () => {
    const paths: string[] = [];
    // Straight to the server: the proxy holds a realtime stream until it ends.
    const env = openEnvWith(kind, {
      url: server().url,
      email,
      password,
      beforeSend: (request) => void paths.push(`${request.method} ${new URL(request.url).pathname}`),
    });
    try {
      const users = env.collection("_superusers");
      const login = await users.auth(email, password);
      await users.auth.refresh(login.token);
      const unsubscribe = await env.collection(collection).subscribe("*", () => {});
      await unsubscribe();
      const name = uniqueName("hookbatch");
      await admin.createCollection({ name, type: "base", fields: [{ name: "title", type: "text" }] });
      await env.collection(name).createMany([{ title: "a" }, { title: "b" }]);
      expect(paths).toEqual(
        expect.arrayContaining([
          "POST /api/collections/_superusers/auth-with-password",
          "POST /api/collections/_superusers/auth-refresh",
          "POST /api/realtime",
          "POST /api/batch",
        ]),
      );
      await admin.delete(name);
    } finally {
      await env.close();
    }
  });

  it("identities from env.as() inherit the hooks, and send only their own token", async () => {
    const tokens: string[] = [];
    const env = open({ beforeSend: (request) => void tokens.push(request.headers.authorization ?? "") });
    try {
      const { token } = await admin.collection("_superusers").auth(email, password);
      const as = env.as(token);
      await proxy.seen();
      await as.collection(collection).getOne("hookpost0000001");
      expect(tokens.at(-1)).toBe(token);
      const [arrived] = (await proxy.seen()).slice(-1);
      expect(headerValues(arrived!, "authorization")).toEqual([token]);
      await as.close();
    } finally {
      await env.close();
    }
  });

  it("a beforeSend that sends elsewhere is refused", async () => {
    const env = open({ beforeSend: (request) => ({ ...request, url: "http://127.0.0.2:1/api/health" }) });
    try {
      const error = await failure(() => env.health());
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toMatch(/sends only to its server/);
    } finally {
      await env.close();
    }
  });
});

describe("an async beforeSend (async kind)", () => {
  it("is awaited: what it sets after a pause arrives, and the next hook sees it", async () => {
    const { email, password } = server();
    const env = openEnvWith("async", {
      url: proxy.url,
      email,
      password,
      beforeSend: [
        async (request) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          request.headers["x-late"] = new URL(request.url).pathname;
        },
        (request) => {
          request.headers["x-after"] = request.headers["x-late"] ?? "not yet";
        },
      ],
    });
    try {
      await proxy.seen();
      await env.collection(collection).getOne("hookpost0000001");
      const path = `/api/collections/${collection}/records/hookpost0000001`;
      const read = (await proxy.seen()).find((request) => request.path === path);
      expect(read && headerValues(read, "x-late")).toEqual([path]);
      expect(read && headerValues(read, "x-after")).toEqual([path]);
    } finally {
      await env.close();
    }
  });
});

describe("Authorization is never set by headers", () => {
  const { url, email, password } = server();

  it.each(KINDS)("setup() refuses it in any letter case (%s kind)", (kind) => {
    for (const name of ["Authorization", "authorization", "AUTHORIZATION"]) {
      expect(() => openEnvWith(kind, { url, email, password, headers: { [name]: "x" } })).toThrow(
        InvalidInputError,
      );
    }
  });

  it.each(KINDS)("a call refuses it before any request (%s kind)", async (kind) => {
    const env = openEnvWith(kind, { url: proxy.url, email, password });
    try {
      await env.collection(collection).getOne("hookpost0000001");
      await proxy.seen();
      for (const name of ["Authorization", "aUTHORIZATION"]) {
        const error = await failure(() =>
          env.collection(collection).getOne("hookpost0000001", { headers: { [name]: "Bearer other" } }),
        );
        expect(error).toBeInstanceOf(InvalidInputError);
        expect(error.message).toMatch(/env\.as\(token\)/);
      }
      const batchHeaders = await failure(() =>
        env.batch([
          {
            method: "POST",
            url: `/api/collections/${collection}/records`,
            body: {},
            headers: { Authorization: "x" },
          },
        ]),
      );
      expect(batchHeaders).toBeInstanceOf(InvalidInputError);
      expect(await proxy.seen()).toEqual([]);
    } finally {
      await env.close();
    }
  });

  it.each(KINDS)(
    "every request carries exactly one Authorization: its identity's (%s kind)",
    async (kind) => {
      const env = openEnvWith(kind, { url: proxy.url, email, password, headers: { "x-app": "pocketmap" } });
      try {
        await env.collection(collection).getOne("hookpost0000001");
        const { token } = await env.collection("_superusers").auth(email, password);
        const other = env.as(token);
        await other.collection(collection).getOne("hookpost0000001");
        await other.collection(collection).list({ perPage: 1 });
        const arrived = await proxy.seen();
        const reads = arrived.filter((request) => request.path.includes(`/${collection}/`));
        expect(reads.length).toBeGreaterThanOrEqual(3);
        for (const request of reads) {
          const values = request.headers.filter(
            (_, i) => i % 2 === 0 && request.headers[i]!.toLowerCase() === "authorization",
          );
          expect(values, request.path).toHaveLength(1);
        }
        // The identity's requests carry its own token, and only it.
        const last = reads.at(-1)!;
        const at = last.headers.findIndex((name, i) => i % 2 === 0 && name.toLowerCase() === "authorization");
        expect(last.headers[at + 1]).toBe(token);
      } finally {
        await env.close();
      }
    },
  );

  it("a sync-kind hook that returns a Promise fails that call with an InvalidInputError", async () => {
    const env = setup({ url, email, password, beforeSend: async () => undefined });
    try {
      const error = await failure(() => env.health());
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toMatch(/returned a Promise/);
    } finally {
      env.close();
    }
  });

  it("a sync-kind hook that makes a sync call fails that call, saying why, and the environment still works", async () => {
    let inner: unknown;
    const env: { health(): unknown; close(): void } = setup({
      url,
      email,
      password,
      beforeSend: (request) => {
        if (request.url.endsWith("/api/health") && inner === undefined) {
          try {
            env.health();
          } catch (error) {
            inner = error;
            throw error;
          }
        }
      },
    });
    try {
      const error = await failure(() => env.health());
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toMatch(/cannot make sync calls while that call blocks/);
      expect(inner).toBe(error);
      expect(env.health()).toMatchObject({ code: 200 });
    } finally {
      env.close();
    }
  });

  it.each(KINDS)("setup() refuses a hook that is not a function (%s kind)", async (kind) => {
    await expect(settle(() => openEnvWith(kind, { url, beforeSend: "nope" as never }))).rejects.toThrow(
      /beforeSend must be a function/,
    );
    await expect(settle(() => openEnvWith(kind, { url, afterSend: [() => {}, 1] as never }))).rejects.toThrow(
      /afterSend\[1\] must be a function/,
    );
  });
});
