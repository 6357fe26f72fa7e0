import { once } from "node:events";
import { Worker } from "node:worker_threads";

/** A proxy to `target` that counts the TCP connections opened through it. */
export async function countingProxy(target: string) {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL("./fixtures/count-proxy.ts", import.meta.url), {
    workerData: { target, counter },
  });
  const [{ port }] = (await once(worker, "message")) as [{ port: number }];
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return Atomics.load(counter, 0);
    },
    close: () => worker.terminate().then(() => undefined),
  };
}
