// A local S3-compatible server (s3rver, in a worker thread: see fixtures/s3-server.ts) and the
// PocketBase settings that point a filesystem at it.
import { once } from "node:events";
import { Worker } from "node:worker_threads";

export interface S3Server {
  /** PocketBase's S3 settings for this server (`s3` or `backups.s3`), enabled. */
  config: Record<string, unknown>;
  close(): Promise<void>;
}

export async function startS3Server(): Promise<S3Server> {
  const worker = new Worker(new URL("./fixtures/s3-server.ts", import.meta.url));
  let ready: { port: number } | undefined;
  while (!ready) {
    const [message] = (await once(worker, "message")) as [{ ready?: { port: number } }];
    ready = message.ready;
  }
  return {
    config: {
      enabled: true,
      bucket: "pocketmap",
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${ready.port}`,
      // s3rver's fixed credentials.
      accessKey: "S3RVER",
      secret: "S3RVER",
      // s3rver serves buckets by path, not by subdomain.
      forcePathStyle: true,
    },
    async close() {
      worker.postMessage({ close: true });
      await once(worker, "message");
      await worker.terminate();
    },
  };
}
