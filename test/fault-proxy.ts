// Starts test/fixtures/fault-proxy.ts in a worker thread in front of the suite's PocketBase.
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type { Fault } from "./fixtures/fault-proxy.ts";
import { server } from "./helpers.ts";

export type { Fault };

export interface FaultProxy {
  url: string;
  /** Damages matching answers from now on (undefined: forward everything untouched). */
  inject(fault: Fault | undefined): Promise<void>;
  close(): Promise<void>;
}

export async function faultProxy(): Promise<FaultProxy> {
  const worker = new Worker(new URL("./fixtures/fault-proxy.ts", import.meta.url), {
    workerData: { target: server().url },
  });
  const [{ port }] = (await once(worker, "message")) as [{ port: number }];
  let next = 0;
  return {
    url: `http://127.0.0.1:${port}`,
    async inject(fault) {
      const id = next++;
      const acked = new Promise<void>((done) => {
        const listener = (message: { ack?: number }) => {
          if (message.ack !== id) return;
          worker.off("message", listener);
          done();
        };
        worker.on("message", listener);
      });
      worker.postMessage({ fault, id });
      await acked;
    },
    async close() {
      await worker.terminate();
    },
  };
}
