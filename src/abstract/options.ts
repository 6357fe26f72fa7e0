import {
  BATCH_RECHECK_INTERVAL,
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONNECTIONS,
  DEFAULT_PAGE_SIZE,
  DEFAULT_RETRIES,
  DEFAULT_RETRY_DELAY,
  DEFAULT_TIMEOUT,
  EMBEDDED_STARTUP_TIMEOUT,
  MAX_PAGE_SIZE,
  REALTIME_MAX_EVENT,
  REALTIME_STABLE_AFTER,
  SYNC_ITERATION_CHUNK,
  TOKEN_REFRESH_MARGIN,
} from "./constants.ts";
import { InvalidInputError } from "./errors/invalid-input.ts";
import { assertHeaders, MAX_TIMEOUT } from "./request-options.ts";
import type { AfterSend, BeforeSend } from "./types.ts";
import { describe } from "./validate.ts";

/** What `setup()` accepts. Every option has an environment-variable default. */
export interface SetupOptions {
  /** `true` for an AsyncEnvironment; the default is a SyncEnvironment. */
  async?: boolean;
  /** Server URL (POCKETBASE_URL). None anywhere: embedded mode starts a local PocketBase. */
  url?: string;
  /** Superuser email (POCKETBASE_EMAIL); needs `password`, excludes `token`. */
  email?: string;
  /** Superuser password (POCKETBASE_PASSWORD); needs `email`, excludes `token`. */
  password?: string;
  /** An existing auth token to act with (POCKETBASE_TOKEN); excludes `email` and `password`. */
  token?: string;
  /** Embedded mode data directory (POCKETBASE_DIR); none: a temporary one removed at exit. */
  dir?: string;
  /** Embedded mode: do not announce a temporary server on stderr (POCKETMAP_QUIET=1). */
  quiet?: boolean;
  /** Per-request timeout in milliseconds (POCKETMAP_TIMEOUT, default 30000). */
  timeout?: number;
  /** Retries of idempotent requests and of connections that never opened (POCKETMAP_RETRIES, default 2). */
  retries?: number;
  /** Keep-alive connections in the pool (POCKETMAP_CONNECTIONS, default 16). */
  connections?: number;
  /** Headers sent with every request (never `Authorization`: an identity's token is the only one). */
  headers?: Record<string, string>;
  /** Hooks run before each attempt of every request, in order; `env.as()` identities inherit them. */
  beforeSend?: BeforeSend | readonly BeforeSend[];
  /** Hooks run after every answer, errors included, in order; `env.as()` identities inherit them. */
  afterSend?: AfterSend | readonly AfterSend[];
}

/** Who an environment acts as: a token, or a superuser's email and password. Never both. */
/** A configured identity; `from` says where it came from, for errors (never a value). */
export type Identity = { token: string; from?: string } | { email: string; password: string; from?: string };

/** Options after defaults and validation; secrets included, so never log this object. */
export interface ResolvedOptions {
  async: boolean;
  url: string | undefined;
  /** The configured identity, whole from one source; undefined: none (embedded mode uses its own). */
  identity: Identity | undefined;
  dir: string | undefined;
  quiet: boolean;
  timeout: number;
  retries: number;
  retryDelay: number;
  connections: number;
  headers: Record<string, string>;
  /** The request pipeline's hooks, in order (functions: the sync kind keeps them on its thread). */
  beforeSend: readonly BeforeSend[];
  afterSend: readonly AfterSend[];
  /** Records per page when iterating (POCKETMAP_PAGE_SIZE). */
  pageSize: number;
  /** Batch chunk size when the server's limit cannot be read (POCKETMAP_BATCH_SIZE). */
  batchSize: number;
  /** Ask again whether batch is on, at most this often, after it was off (POCKETMAP_BATCH_RECHECK). */
  batchRecheck: number;
  /** Renew a token this many milliseconds before it expires (POCKETMAP_REFRESH_MARGIN). */
  refreshMargin: number;
  /** How long embedded mode waits for its server (POCKETMAP_STARTUP_TIMEOUT). */
  startupTimeout: number;
  /** Records per sync-worker round trip while iterating (POCKETMAP_SYNC_CHUNK). */
  syncChunk: number;
  /** How long a realtime stream must last before its reconnect back-off resets (POCKETMAP_REALTIME_STABLE). */
  realtimeStable: number;
  /** The largest realtime event accepted, in characters (POCKETMAP_REALTIME_MAX_EVENT). */
  realtimeMaxEvent: number;
}

/** The variables setup() reads besides its options: the process's, then those of `.env`. */
export interface VariableSources {
  /** The process environment. */
  variables?: Record<string, string | undefined>;
  /** The variables of `.env`. */
  dotenv?: Record<string, string | undefined>;
  /** How to name `.env` in errors (its path). */
  dotenvName?: string;
}

/** A hook option as a list of functions; anything else is an InvalidInputError naming the option. */
function hookList<H>(value: unknown, name: string): readonly H[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  list.forEach((hook, i) => {
    if (typeof hook !== "function") {
      const where = Array.isArray(value) ? `${name}[${i}]` : name;
      throw new InvalidInputError(
        `pocketmap: ${where} must be a function (or an array of functions), got ${describe(hook)}`,
      );
    }
  });
  return Object.freeze([...list]) as readonly H[];
}

/** Throws if `options` has a key outside `known`, naming it and the keys that are accepted. */
export function assertKnownOptions(
  options: object | undefined,
  known: readonly string[],
  where: string,
): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new InvalidInputError(`pocketmap: ${where} options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new InvalidInputError(
        `pocketmap: unknown option "${key}" for ${where}; expected one of: ${known.join(", ")}`,
      );
    }
  }
}

/** Validates a server URL and drops the trailing slash. */
export function normalizeUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInputError(`pocketmap: url ${JSON.stringify(value)} is not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidInputError(`pocketmap: url must be http or https, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new InvalidInputError(
      "pocketmap: url must not carry credentials; use the email and password options",
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** Where a value came from, for error messages: an option, or a variable in the process or `.env`. */
interface Found {
  value: unknown;
  /** e.g. `timeout`, `POCKETMAP_TIMEOUT`, `POCKETMAP_TIMEOUT in /app/.env`. */
  name: string;
}

/** The configured identity and the source it came from (both undefined: none). */
interface FoundIdentity {
  identity: Identity | undefined;
  source: string | undefined;
}

/** What a tool built on setup() calls the identity options it passes, for its errors to say. */
export interface IdentityNames {
  /** e.g. `command-line flags`. */
  source: string;
  token: string;
  email: string;
  password: string;
}

/**
 * A key of setup()'s options (a symbol: no option, and copied by a spread) naming where the tool that
 * passes them got the identity (the pocketmap command: its flags), instead of "setup() options".
 */
export const IDENTITY_NAMES: unique symbol = Symbol("pocketmap identity names");

/** The variables that give the identity, by the option each stands for. */
export const IDENTITY_VARIABLES = {
  token: "POCKETBASE_TOKEN",
  email: "POCKETBASE_EMAIL",
  password: "POCKETBASE_PASSWORD",
} as const;

/** Empty strings count as unset, in options and variables alike. */
const isSet = (value: unknown) => value !== undefined && value !== null && value !== "";

/**
 * Reads settings by one rule: the option if set, else the process variable, else the one in `.env`.
 * Pure: the caller reads the process environment and `.env` and hands them in.
 */
class Settings {
  readonly #options: Record<string, unknown>;
  readonly #variables: Record<string, string | undefined>;
  readonly #dotenv: Record<string, string | undefined>;
  readonly #dotenvName: string;
  #identity: FoundIdentity | undefined;

  constructor(options: SetupOptions, sources: VariableSources) {
    this.#options = options as Record<string, unknown>;
    this.#variables = sources.variables ?? {};
    this.#dotenv = sources.dotenv ?? {};
    this.#dotenvName = sources.dotenvName ?? ".env";
  }

  /** The first set value of option `key` (if any) or `variable`, with its name. */
  find(key: string | undefined, variable: string): Found | undefined {
    if (key !== undefined && isSet(this.#options[key])) return { value: this.#options[key], name: key };
    if (isSet(this.#variables[variable])) return { value: this.#variables[variable], name: variable };
    if (isSet(this.#dotenv[variable])) {
      return { value: this.#dotenv[variable], name: `${variable} in ${this.#dotenvName}` };
    }
    return undefined;
  }

  text(key: string, variable: string): string | undefined {
    const found = this.find(key, variable);
    if (found === undefined) return undefined;
    if (typeof found.value !== "string")
      throw new InvalidInputError(`pocketmap: ${found.name} must be a string`);
    return found.value;
  }

  /** An integer in [min, max]; strings (from variables) are parsed strictly. */
  integer(key: string | undefined, variable: string, min: number, fallback: number, max = Infinity): number {
    const found = this.find(key, variable);
    if (found === undefined) return fallback;
    const { value, name } = found;
    const number = typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof number !== "number" || !Number.isSafeInteger(number) || number < min || number > max) {
      const range = max === Infinity ? `>= ${min}` : `from ${min} to ${max}`;
      throw new InvalidInputError(
        `pocketmap: ${name} must be an integer ${range}, got ${JSON.stringify(value)}`,
      );
    }
    return number;
  }

  boolean(key: string, variable: string, fallback: boolean): boolean {
    const found = this.find(key, variable);
    if (found === undefined) return fallback;
    const { value, name } = found;
    if (typeof value === "boolean") return value;
    const fromVariable = name !== key;
    if (typeof value === "string" && fromVariable) {
      const lower = value.trim().toLowerCase();
      if (lower === "1" || lower === "true") return true;
      if (lower === "0" || lower === "false") return false;
    }
    throw new InvalidInputError(
      `pocketmap: ${name} must be ${fromVariable ? "1, 0, true or false" : "true or false"}, got ${JSON.stringify(value)}`,
    );
  }

  /**
   * The identity, whole from the first source that sets any of its fields: options, else process
   * variables, else `.env`. Fields are never combined across sources; values never appear in errors.
   */
  identity(): FoundIdentity {
    this.#identity ??= this.#readIdentity();
    return this.#identity;
  }

  #readIdentity(): FoundIdentity {
    const named = (this.#options as { [IDENTITY_NAMES]?: IdentityNames })[IDENTITY_NAMES];
    const variableNames = [IDENTITY_VARIABLES.token, IDENTITY_VARIABLES.email, IDENTITY_VARIABLES.password];
    const sources = [
      {
        source: named?.source ?? "setup() options",
        values: this.#options,
        names: ["token", "email", "password"],
        shown: named ? [named.token, named.email, named.password] : ["token", "email", "password"],
      },
      {
        source: "environment variables",
        values: this.#variables,
        names: variableNames,
        shown: variableNames,
      },
      {
        source: `variables in ${this.#dotenvName}`,
        values: this.#dotenv,
        names: variableNames,
        shown: variableNames,
      },
    ] as const;
    for (const { source, values, names, shown } of sources) {
      const [token, email, password] = names.map((name) => {
        const value = values[name];
        if (!isSet(value)) return undefined;
        if (typeof value !== "string") throw new InvalidInputError(`pocketmap: ${name} must be a string`);
        return value;
      });
      if (token === undefined && email === undefined && password === undefined) continue;
      const [tokenName, emailName, passwordName] = shown;
      if (token !== undefined && (email !== undefined || password !== undefined)) {
        const other = [email !== undefined && emailName, password !== undefined && passwordName].filter(
          Boolean,
        );
        throw new InvalidInputError(
          `pocketmap: the ${source} give both ${tokenName} and ${other.join(" and ")}, which is ambiguous: an identity is a token, or an email and password; remove one`,
        );
      }
      if (token !== undefined) return { identity: { token, from: `${tokenName} (${source})` }, source };
      if (email === undefined || password === undefined) {
        const half = email === undefined ? "a password without an email" : "an email without a password";
        throw new InvalidInputError(
          `pocketmap: the ${source} give ${half}; set both ${emailName} and ${passwordName} there, or neither (an identity comes whole from one source: ${sources[0].source}, else environment variables, else .env)`,
        );
      }
      return {
        identity: { email, password, from: `${emailName} and ${passwordName} (${source})` },
        source,
      };
    }
    return { identity: undefined, source: undefined };
  }
}

/** How one setup() option is read (the option, else its variable) and checked; throws an InvalidInputError naming it. */
type SetupReader = (settings: Settings, options: SetupOptions) => unknown;

/**
 * Every setup() option's reader, in the order errors list them: keyed by SetupOptions, so an option
 * added there without a reader here fails to compile. setup() accepts exactly these keys, and
 * resolveOptions runs every reader.
 */
export const SETUP_READERS = {
  async(_, options) {
    if (options.async !== undefined && typeof options.async !== "boolean") {
      throw new InvalidInputError("pocketmap: async must be true or false");
    }
    return options.async === true;
  },
  url: (settings) => settings.text("url", "POCKETBASE_URL"),
  // The identity comes whole from one source, so its three options share one reader.
  email: (settings) => settings.identity(),
  password: (settings) => settings.identity(),
  token: (settings) => settings.identity(),
  dir: (settings) => settings.text("dir", "POCKETBASE_DIR"),
  quiet: (settings) => settings.boolean("quiet", "POCKETMAP_QUIET", false),
  timeout: (settings) => settings.integer("timeout", "POCKETMAP_TIMEOUT", 1, DEFAULT_TIMEOUT, MAX_TIMEOUT),
  retries: (settings) => settings.integer("retries", "POCKETMAP_RETRIES", 0, DEFAULT_RETRIES),
  connections: (settings) => settings.integer("connections", "POCKETMAP_CONNECTIONS", 1, DEFAULT_CONNECTIONS),
  headers(_, options) {
    assertHeaders(options.headers, "setup() headers");
    return { ...(options.headers ?? {}) };
  },
  beforeSend: (_, options) => hookList<BeforeSend>(options.beforeSend, "beforeSend"),
  afterSend: (_, options) => hookList<AfterSend>(options.afterSend, "afterSend"),
} satisfies SetupReaders;

/** One reader per setup() option, no more and no fewer. */
export type SetupReaders = { readonly [K in keyof Required<SetupOptions>]-?: SetupReader };

/** The options setup() accepts, in the order errors list them. */
export const SETUP_OPTION_NAMES = Object.keys(SETUP_READERS) as readonly (keyof SetupOptions)[];

/**
 * Resolves setup options by one rule: an option if set, else the process variable, else `.env`; an
 * empty string counts as unset. The identity comes whole from one of those sources. Every option is
 * read and validated here, by its reader, so that a bad one fails at setup() with an
 * InvalidInputError naming it.
 */
export function resolveOptions(options: SetupOptions = {}, sources: VariableSources = {}): ResolvedOptions {
  assertKnownOptions(options, SETUP_OPTION_NAMES, "setup()");
  const settings = new Settings(options, sources);
  // Every reader runs, in the table's order: none can be left out.
  const values = Object.fromEntries(
    Object.entries(SETUP_READERS).map(([key, reader]) => [key, reader(settings, options)]),
  ) as { [K in keyof typeof SETUP_READERS]: ReturnType<(typeof SETUP_READERS)[K]> };
  const { url } = values;
  const { identity, source } = values.token;
  if (identity !== undefined && url === undefined) {
    throw new InvalidInputError(
      `pocketmap: the ${source} give ${"token" in identity ? "a token" : "an email and password"} but no server URL is set; set POCKETBASE_URL (or the url option) to the server they belong to, or remove them to start an embedded server`,
    );
  }
  return {
    async: values.async,
    url: url === undefined ? undefined : normalizeUrl(url),
    identity,
    dir: values.dir,
    quiet: values.quiet,
    timeout: values.timeout,
    retries: values.retries,
    retryDelay: settings.integer(undefined, "POCKETMAP_RETRY_DELAY", 0, DEFAULT_RETRY_DELAY),
    connections: values.connections,
    headers: values.headers,
    beforeSend: values.beforeSend,
    afterSend: values.afterSend,
    pageSize: settings.integer(undefined, "POCKETMAP_PAGE_SIZE", 1, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    batchSize: settings.integer(undefined, "POCKETMAP_BATCH_SIZE", 1, DEFAULT_BATCH_SIZE),
    batchRecheck: settings.integer(undefined, "POCKETMAP_BATCH_RECHECK", 0, BATCH_RECHECK_INTERVAL),
    refreshMargin: settings.integer(undefined, "POCKETMAP_REFRESH_MARGIN", 0, TOKEN_REFRESH_MARGIN),
    startupTimeout: settings.integer(undefined, "POCKETMAP_STARTUP_TIMEOUT", 1, EMBEDDED_STARTUP_TIMEOUT),
    syncChunk: settings.integer(undefined, "POCKETMAP_SYNC_CHUNK", 1, SYNC_ITERATION_CHUNK),
    realtimeStable: settings.integer(undefined, "POCKETMAP_REALTIME_STABLE", 0, REALTIME_STABLE_AFTER),
    realtimeMaxEvent: settings.integer(undefined, "POCKETMAP_REALTIME_MAX_EVENT", 1024, REALTIME_MAX_EVENT),
  };
}
