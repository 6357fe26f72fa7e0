// The command table: one file per command; `pocketmap --help` lists them in this order.
import type { Command } from "../command.ts";
import { exportCommand } from "./export.ts";
import { get } from "./get.ts";
import { importCommand } from "./import.ts";
import { installServer } from "./install-server.ts";
import { ls } from "./ls.ts";
import { replicateCommand } from "./replicate.ts";
import { rm } from "./rm.ts";
import { schema } from "./schema.ts";
import { set } from "./set.ts";
import { sql } from "./sql.ts";
import { types } from "./types.ts";
import { watch } from "./watch.ts";
import { whichServer } from "./which-server.ts";

export const COMMANDS: readonly Command[] = [
  ls,
  get,
  set,
  rm,
  exportCommand,
  importCommand,
  watch,
  sql,
  schema,
  types,
  replicateCommand,
  installServer,
  whichServer,
];
