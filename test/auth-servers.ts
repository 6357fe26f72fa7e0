// The SMTP catcher and the OIDC provider stub, served from a worker thread (see
// fixtures/auth-servers.ts); their emails and refusals come back here as messages.
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { type Mail, MailBox } from "./mail-catcher.ts";
import type { OidcUser } from "./oidc-stub.ts";

export interface AuthServers {
  smtp: { host: string; port: number };
  mail: MailBox;
  oidc: {
    url: string;
    clientId: string;
    clientSecret: string;
    refused: string[];
    setUser(user: OidcUser): Promise<void>;
  };
  close(): Promise<void>;
}

export async function startAuthServers(): Promise<AuthServers> {
  const worker = new Worker(new URL("./fixtures/auth-servers.ts", import.meta.url));
  const mail = new MailBox();
  const refused: string[] = [];
  worker.on("message", (message: { mail?: Mail; refused?: string }) => {
    if (message.mail) mail.add(message.mail);
    if (message.refused) refused.push(message.refused);
  });
  let ready: { smtpPort: number; oidc: { url: string; clientId: string; clientSecret: string } } | undefined;
  while (!ready) {
    const [message] = (await once(worker, "message")) as [{ ready?: typeof ready }];
    ready = message.ready;
  }
  return {
    smtp: { host: "127.0.0.1", port: ready.smtpPort },
    mail,
    oidc: {
      ...ready.oidc,
      refused,
      async setUser(user) {
        const acked = new Promise<void>((resolve) => {
          const listener = (message: { userSet?: boolean }) => {
            if (!message.userSet) return;
            worker.off("message", listener);
            resolve();
          };
          worker.on("message", listener);
        });
        worker.postMessage({ user });
        await acked;
      },
    },
    async close() {
      await worker.terminate();
    },
  };
}
