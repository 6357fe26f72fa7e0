// Where an environment's requests go. Described here, as plain data, so that the async kind can take
// one without knowing how it was found: src/server makes them (a configured URL, or an embedded server).

/** Where to send requests, found lazily (embedded mode starts a server first). */
export interface ServerTarget {
  url: string;
  email?: string | undefined;
  password?: string | undefined;
  /** Stops what was started to serve this target (embedded mode). */
  stop?: () => Promise<void>;
  /**
   * Called once a backup restore has brought the server back (embedded mode: its generated superuser
   * is written into the restored data again, so that a backup from elsewhere locks nobody out).
   */
  restored?: () => Promise<void>;
  /** Embedded mode: the server's process id and the temporary directory it removes. */
  pid?: number;
  tempDir?: string | undefined;
}
