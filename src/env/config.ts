import {
  IDENTITY_VARIABLES,
  type IdentityNames,
  type ResolvedOptions,
  resolveOptions,
  type SetupOptions,
} from "../abstract/options.ts";
import { nodeModules } from "../server/node-modules.ts";

/** Variables from `.env` in the working directory, if there is one. */
export function readDotEnv(cwd = process.cwd()): Record<string, string> {
  let text: string;
  try {
    text = nodeModules.fs.readFileSync(nodeModules.path.join(cwd, ".env"), "utf8");
  } catch {
    return {};
  }
  return nodeModules.util.parseEnv(text) as Record<string, string>;
}

/**
 * The one place that reads configuration, once per setup(): options, else process variables, else
 * `.env` in `cwd`, by the rule of resolveOptions (which also validates every value).
 */
export function loadOptions(
  options?: SetupOptions,
  where: { variables?: Record<string, string | undefined>; cwd?: string } = {},
): ResolvedOptions {
  const cwd = where.cwd ?? process.cwd();
  return resolveOptions(options, {
    variables: where.variables ?? process.env,
    dotenv: readDotEnv(cwd),
    dotenvName: nodeModules.path.join(cwd, ".env"),
  });
}

/** Credentials of one side of `pocketmap replicate`, from POCKETMAP_SOURCE_* / POCKETMAP_TARGET_*. */
export function replicationCredentials(
  role: "SOURCE" | "TARGET",
  variables: Record<string, string | undefined> = process.env,
): { token: string } | { email: string; password: string } | undefined {
  const token = variables[`POCKETMAP_${role}_TOKEN`];
  if (token) return { token };
  const email = variables[`POCKETMAP_${role}_EMAIL`];
  if (email) return { email, password: variables[`POCKETMAP_${role}_PASSWORD`] ?? "" };
  return undefined;
}

/** What the configured identity's variables are called where they were set: the process, else `.env`. */
export function variableNames(variables: Record<string, string | undefined> = process.env): IdentityNames {
  const inProcess = Object.values(IDENTITY_VARIABLES).some((name) => !!variables[name]);
  return { source: inProcess ? "environment variables" : "variables in .env", ...IDENTITY_VARIABLES };
}

/**
 * The configured server and identity (flags given here, else variables, else `.env`, by setup()'s
 * rule), or undefined when nothing valid is configured.
 */
export function configuredServer(
  options: SetupOptions,
):
  | { url: string; identity: { token: string } | { email: string; password: string } | undefined }
  | undefined {
  try {
    const resolved = loadOptions(options);
    if (resolved.url === undefined) return undefined;
    const identity = resolved.identity;
    return {
      url: resolved.url,
      identity:
        identity === undefined
          ? undefined
          : "token" in identity
            ? { token: identity.token }
            : { email: identity.email, password: identity.password },
    };
  } catch {
    return undefined;
  }
}
