// What the code blocks of each page find in scope besides pocketmap's exports, declared for tsc
// (test/docs-compile.ts): the `env` a page's text talks about, and the helpers its test provides
// (askTheUser, dir…). `ENV` stands for the environment type of the kind being compiled; a page
// compiled for both kinds is kind-neutral and its test runs it on both. A page with no entry (a new
// one) gets DEFAULT: an `env` of either kind, as the generic runner (test/docs-pages.test.ts) gives it.
export type Kind = "sync" | "async";

export interface PageContext {
  declarations: string;
  kinds: readonly Kind[];
}

export const DEFAULT: PageContext = { declarations: "declare const env: ENV;", kinds: ["sync", "async"] };

export const CONTEXTS: Record<string, PageContext> = {
  // The JSDoc examples of src/ (apiExampleDeclarations).
  API: { declarations: "declare const env: ENV;", kinds: ["sync", "async"] },
  "README.md": {
    declarations:
      "declare const env: ENV; declare const id: string; declare const q: string; declare const n: number;",
    kinds: ["sync", "async"],
  },
  "docs/auth.md": {
    declarations: `declare const env: ENV;
declare const email: string;
declare const password: string;
declare const someone: string;
/** The code or token the user got by email, or for "oauth2" the provider's redirect. */
declare function askTheUser(address: string, what: "otp" | "verification" | "reset" | "email-change"): Promise<string>;
declare function askTheUser(address: string, what: "oauth2"): Promise<{ code: string; state: string }>;`,
    kinds: ["async"],
  },
  "docs/files.md": {
    // Typed by the page's own Files interface, as its second example has it.
    declarations: `declare const env: PM.AsyncEnvironment<Files>;
declare const dir: string;
declare const openAsBlob: typeof import("node:fs").openAsBlob;`,
    kinds: ["async"],
  },
  "docs/admin.md": { declarations: "declare const env: ENV;", kinds: ["sync", "async"] },
  "docs/admin-settings-backups.md": {
    declarations: `declare const env: ENV;
declare const readFile: typeof import("node:fs/promises").readFile;
declare const dir: string;
declare const smtpHost: string;
declare const smtpPort: number;
declare function nextEmail(to: string): Promise<string>;
declare const s3Endpoint: string;
declare const s3AccessKey: string;
declare const s3Secret: string;`,
    kinds: ["sync", "async"],
  },
  "docs/batch.md": {
    declarations: `declare const env: ENV;
declare const text: string;
declare function parseCsv(text: string): { title: string }[];
declare const bar: { update(fraction: number): void };
declare const ids: string[];
declare const bytes: Uint8Array<ArrayBuffer>;
declare const userId: string;
declare const oldId: string;`,
    kinds: ["async"],
  },
  "docs/realtime.md": {
    declarations: `declare const env: PM.AsyncEnvironment;
declare const senv: PM.SyncEnvironment;
declare function onPublished(event: PM.RecordEvent<PM.RecordOf<PM.BaseRecord>>): void;
declare function upsertLocal(record: PM.BaseRecord): void;
declare function deleteLocal(id: string): void;`,
    kinds: ["async"],
  },
  "docs/replication.md": {
    // Two servers' setup options (test/docs-replication.test.ts).
    declarations: `declare const env: ENV;
declare const backup: { url: string; email: string; password: string };
declare const origin: { url: string; email: string; password: string };`,
    kinds: ["async"],
  },
  "docs/sync.md": { declarations: "", kinds: ["sync"] },
  // Hooks are setup() options: each example makes its own environment, of the kind it shows.
  "docs/hooks.md": { declarations: "", kinds: ["async"] },
  // Its example makes its own environment (embedded mode): once is enough.
  "docs/embedded.md": { declarations: "", kinds: ["async"] },
};

/** The declarations of `page` for tsc, for one kind. */
export function declarationsFor(page: string, kind: Kind): string {
  const context = CONTEXTS[page] ?? DEFAULT;
  return context.declarations.replaceAll(
    "ENV",
    kind === "sync" ? "PM.SyncEnvironment" : "PM.AsyncEnvironment",
  );
}

/**
 * What the JSDoc examples in src/ take for granted (test/api-examples.ts): the `env` of the kind they
 * are written for, and the values they name as if the reader had them at hand.
 */
export function apiExampleDeclarations(kind: Kind): string {
  return `${declarationsFor("API", kind)}
declare const post: PM.RecordOf<{ title: string; cover: string }>;
declare const invoice: PM.RecordOf<{ pdf: string }>;
declare const user: PM.AuthResult;
declare const created: PM.RecordOf<PM.BaseRecord>[];
declare const feed: PM.SyncChanges<PM.RecordOf<PM.BaseRecord>>;
declare const listener: (change: PM.RecordEvent<PM.RecordOf<PM.BaseRecord>>) => void;
declare const batchError: PM.BatchError;
declare const mfaError: PM.MFARequiredError;
declare const bytes: Uint8Array<ArrayBuffer>;
declare const staging: PM.AsyncEnvironment;
declare const code: string, redirectURL: string, privateKey: string, userId: string, logId: string;
declare const query: string, min: number, tokenFromTheEmail: string;
declare const email: string, password: string;
declare const a: PM.ReplicationSide, b: PM.ReplicationSide, source: PM.ReplicationSide, target: PM.ReplicationSide;
declare const laptop: PM.ReplicationSide, server: PM.ReplicationSide;
declare const summary: PM.ReplicationSummary;
declare const live: PM.Replication<"async">;
declare const syncEnv: PM.SyncEnvironment;`;
}
