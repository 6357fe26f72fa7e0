// Starts test/fixtures/fault-proxy.ts in a worker thread in front of the suite's PocketBase.
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type { Fault } from "./fixtures/fault-proxy.ts";
import { server } from "./helpers.ts";

export type { Fault };

export interface FaultProxy {
  url: string;
  /** Damages matching answers from now on (undefined: forward everything untouched; a list: the first that matches). */
  inject(fault: Fault | Fault[] | undefined): Promise<void>;
  /** "hang": requests held now, and held ones the client has given up on (closed). */
  hung(): Promise<{ hanging: number; released: number }>;
  /** Cuts every event stream (realtime) passing through now, mid-stream; resolves with how many. */
  cutStreams(): Promise<number>;
  /** How many event streams are passing through now. */
  streaming(): Promise<number>;
  /** The requests that arrived since the last look (method, path, raw header lines), and forgets them. */
  seen(): Promise<SeenRequest[]>;
  close(): Promise<void>;
}

export interface SeenRequest {
  method: string;
  path: string;
  /** Raw header lines, name and value alternating, as they arrived (repeats included). */
  headers: string[];
}

export async function faultProxy(): Promise<FaultProxy> {
  const worker = new Worker(new URL("./fixtures/fault-proxy.ts", import.meta.url), {
    workerData: { target: server().url },
  });
  const [{ port }] = (await once(worker, "message")) as [{ port: number }];
  let next = 0;
  const ask = <T>(message: object) => {
    const id = next++;
    const answer = new Promise<T>((done) => {
      const listener = (reply: T & { ack?: number }) => {
        if (reply.ack !== id) return;
        worker.off("message", listener);
        done(reply);
      };
      worker.on("message", listener);
    });
    worker.postMessage({ ...message, id });
    return answer;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    async inject(fault) {
      await ask({ fault });
    },
    hung: () =>
      ask<{ hanging: number; released: number }>({ stats: true }).then(({ hanging, released }) => ({
        hanging,
        released,
      })),
    cutStreams: () => ask<{ cut: number }>({ cut: true }).then((reply) => reply.cut),
    streaming: () => ask<{ streaming: number }>({ stats: true }).then((reply) => reply.streaming),
    seen: () => ask<{ seen: SeenRequest[] }>({ seen: true }).then((reply) => reply.seen),
    async close() {
      await worker.terminate();
    },
  };
}
