// One realtime stream, read to its end: GET /api/realtime over undici, its Server-Sent Events parsed by
// eventsource-parser with a cap on the size of any one event. The connection (realtime.ts) keeps the
// subscriptions; this file only reads. What PocketBase never sends becomes a PocketBaseError: a
// PB_CONNECT without a client id, or an event over the cap, ends the stream with it (the connection
// reports it and reopens the stream); event data that is not JSON is handed on as text, for the
// connection to deliver or report.
import type { Client as UndiciClient } from "undici";
import { NetworkError, PocketBaseError } from "../abstract/errors/index.ts";

export interface StreamRequest {
  http: UndiciClient;
  /** The server's origin and the stream's path, for errors. */
  origin: string;
  path: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  /** The largest event accepted, in characters. */
  maxEvent: number;
}

export interface StreamHandlers {
  /** The stream answered; `drop(error)` ends it, and the reader then fails with that error. */
  open(drop: (error: unknown) => void): void;
  /** PB_CONNECT's client id. */
  connect(clientId: string): void;
  /** An event named after a topic: its data parsed as JSON, or `{ text }` when it is not JSON. */
  message(topic: string, data: EventData): void;
  /** A problem that ends the stream, before the reader fails with it (reported as an `error` event). */
  malformed(error: PocketBaseError): void;
}

export type EventData = { json: unknown } | { text: string };

/** What the server sent that PocketBase never sends, as a typed error (no data in it: it may be private). */
export function streamError(message: string): PocketBaseError {
  return new PocketBaseError({
    status: 200,
    message: `pocketmap: ${message}`,
    url: "/api/realtime",
    method: "GET",
  });
}

/** Opens the stream and reads it to its end; throws what ended it, unless it ended cleanly. */
export async function readStream(request: StreamRequest, handlers: StreamHandlers): Promise<void> {
  const { createParser } = await import("eventsource-parser");
  const { http, origin, path, signal } = request;
  let response: Awaited<ReturnType<UndiciClient["request"]>>;
  try {
    response = await http.request({
      method: "GET",
      path,
      headers: { ...request.headers, accept: "text/event-stream", "cache-control": "no-store" },
      signal,
    });
  } catch (cause) {
    if (signal.aborted) throw cause;
    throw new NetworkError({
      status: 0,
      message: `the realtime stream could not be opened: ${describe(cause)}`,
      url: origin + path,
      method: "GET",
      cause,
    });
  }
  if (response.statusCode !== 200) {
    await response.body.dump().catch(() => {});
    throw new PocketBaseError({
      status: response.statusCode,
      message: `the realtime stream was refused with status ${response.statusCode}`,
      url: "/api/realtime",
      method: "GET",
    });
  }
  let failure: unknown;
  const drop = (error: unknown) => {
    failure ??= error;
    response.body.destroy();
  };
  const malformed = (error: PocketBaseError) => {
    if (failure !== undefined) return;
    handlers.malformed(error);
    drop(error);
  };
  handlers.open(drop);
  const parser = createParser({
    maxBufferSize: request.maxEvent,
    onError: (error) => {
      if (error.type !== "max-buffer-size-exceeded") return;
      malformed(
        streamError(
          `a realtime event exceeded ${request.maxEvent} characters (POCKETMAP_REALTIME_MAX_EVENT); it was dropped and the stream reopened`,
        ),
      );
    },
    onEvent: (event) => {
      if (failure !== undefined) return;
      if (event.event === "PB_CONNECT") {
        const clientId = clientIdOf(event.data);
        if (clientId === undefined) {
          malformed(streamError("the server's PB_CONNECT event carries no client id"));
          return;
        }
        handlers.connect(clientId);
        return;
      }
      if (event.event === undefined) return;
      let data: EventData;
      try {
        data = { json: JSON.parse(event.data) };
      } catch {
        data = { text: event.data };
      }
      handlers.message(event.event, data);
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body) {
      if (failure !== undefined) break;
      parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    }
  } catch (error) {
    if (failure === undefined) throw error;
  }
  if (failure !== undefined) throw failure;
}

function clientIdOf(data: string): string | undefined {
  try {
    const clientId = (JSON.parse(data) as { clientId?: unknown } | null)?.clientId;
    return typeof clientId === "string" && clientId !== "" ? clientId : undefined;
  } catch {
    return undefined;
  }
}

export function describe(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" ? `${code}: ${message}` : message;
}
