// A hostile realtime server: a real HTTP server on 127.0.0.1 that speaks just enough of PocketBase's
// realtime protocol (GET /api/realtime: a Server-Sent Events stream opening with PB_CONNECT { clientId };
// POST /api/realtime: 204) to misbehave in ways PocketBase never does. It runs in a worker thread (a
// sync call blocks the test's thread, and the sync kind's worker must still reach it), and counts what
// it saw. Modes:
//   end          PB_CONNECT; once subscribed (204), the stream ends at once (every time)
//   endless      PB_CONNECT; once subscribed, one event whose data line never ends: `bytes` of "x"
//                (sent as the client reads them), then the stream ends
//   malformed    a PB_CONNECT whose data is not JSON, then the stream stays open
//   not-json     PB_CONNECT; for each newly subscribed topic, an event whose data is not JSON, one whose
//                data is JSON but not a record event, then a valid record event; the stream stays open
// Other requests get PocketBase's own answer for unknown routes, a 404.
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

export type HostileMode = "end" | "endless" | "malformed" | "not-json";

export interface HostileStats {
  /** Realtime streams opened (GET /api/realtime). */
  connections: number;
  /** Subscription requests (POST /api/realtime). */
  posts: number;
  /** Bytes of the endless line sent so far. */
  bytes: number;
}

interface Setup {
  hostileSse: true;
  mode: HostileMode;
  bytes: number;
}

/** Starts a hostile server in a worker thread; `stats()` asks it what it saw. */
export async function hostileSse(mode: HostileMode, options: { bytes?: number } = {}) {
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { hostileSse: true, mode, bytes: options.bytes ?? 0 } satisfies Setup,
  });
  const [{ port }] = (await once(worker, "message")) as [{ port: number }];
  let next = 0;
  return {
    url: `http://127.0.0.1:${port}`,
    stats(): Promise<HostileStats> {
      const id = next++;
      return new Promise((resolve) => {
        const listener = (message: { id?: number; stats: HostileStats }) => {
          if (message.id !== id) return;
          worker.off("message", listener);
          resolve(message.stats);
        };
        worker.on("message", listener);
        worker.postMessage({ id });
      });
    },
    close: () => worker.terminate(),
  };
}

function serve({ mode, bytes }: Setup): void {
  const stats: HostileStats = { connections: 0, posts: 0, bytes: 0 };
  /** Open streams by client id, each waiting for its subscriptions. */
  const streams = new Map<string, (topics: string[]) => void>();
  let nextClient = 0;

  function stream(response: ServerResponse): void {
    stats.connections++;
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
    const clientId = `hostile${nextClient++}`;
    if (mode === "malformed") {
      response.write(`id:${clientId}\nevent:PB_CONNECT\ndata:{"clientId": not json\n\n`);
      return;
    }
    response.write(`id:${clientId}\nevent:PB_CONNECT\ndata:${JSON.stringify({ clientId })}\n\n`);
    const sent = new Set<string>();
    streams.set(clientId, (topics) => {
      if (mode === "end") {
        response.end();
        return;
      }
      const fresh = topics.filter((topic) => !sent.has(topic));
      for (const topic of fresh) sent.add(topic);
      if (fresh.length === 0) return;
      if (mode === "endless") {
        if (sent.size === fresh.length) void endless(response, fresh[0]!);
        return;
      }
      for (const topic of fresh) {
        response.write(`event:${topic}\ndata:this is not JSON\n\n`);
        response.write(`event:${topic}\ndata:{"hello":"world"}\n\n`);
        const record = { action: "create", record: { id: "hostile1", title: "valid" } };
        response.write(`event:${topic}\ndata:${JSON.stringify(record)}\n\n`);
      }
    });
    response.on("close", () => streams.delete(clientId));
  }

  /** One event whose data line never ends, written as fast as the client reads it. */
  async function endless(response: ServerResponse, topic: string): Promise<void> {
    response.write(`event:${topic}\ndata:`);
    const chunk = Buffer.alloc(64 * 1024, "x");
    while (stats.bytes < bytes && !response.destroyed) {
      stats.bytes += chunk.length;
      if (!response.write(chunk)) {
        await Promise.race([once(response, "drain"), once(response, "close")]);
      }
    }
    response.end();
  }

  async function subscribe(request: IncomingMessage, response: ServerResponse): Promise<void> {
    stats.posts++;
    let body = "";
    for await (const part of request) body += part;
    const { clientId, subscriptions } = JSON.parse(body || "{}") as {
      clientId?: string;
      subscriptions?: string[];
    };
    const waiting = clientId === undefined ? undefined : streams.get(clientId);
    if (!waiting) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ status: 404, message: "Missing or invalid client id.", data: {} }));
      return;
    }
    response.writeHead(204).end();
    // After the answer has left, as PocketBase's own messages come after its 204.
    setTimeout(() => waiting(subscriptions ?? []), 20);
  }

  const server = createServer((request, response) => {
    const path = (request.url ?? "").split("?")[0];
    if (path === "/api/realtime" && request.method === "GET") return stream(response);
    if (path === "/api/realtime" && request.method === "POST") return void subscribe(request, response);
    response.writeHead(404, { "content-type": "application/json" });
    response.end(JSON.stringify({ status: 404, message: "The requested resource wasn't found.", data: {} }));
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address() as import("node:net").AddressInfo;
    parentPort!.postMessage({ port: address.port });
  });
  parentPort!.on("message", ({ id }: { id: number }) => parentPort!.postMessage({ id, stats: { ...stats } }));
}

if (!isMainThread && (workerData as Setup | undefined)?.hostileSse) serve(workerData as Setup);
