// The parity suites run once per environment kind, from one source.
import { setup } from "../src/index.ts";
import { server } from "./helpers.ts";

export const KINDS = ["async"] as const;
export type TestKind = (typeof KINDS)[number];

/** An environment of the given kind on the suite's server, as the superuser. */
export function openEnv(_kind: TestKind) {
  const { url, email, password } = server();
  return setup({ async: true, url, email, password });
}
