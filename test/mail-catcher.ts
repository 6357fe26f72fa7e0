// A real SMTP server on a loopback port (smtp-server, from the nodemailer project) that keeps every
// message PocketBase sends, parsed (mailparser), so that tests can take codes and tokens from real
// emails. No TLS, no AUTH: PocketBase then sends plain SMTP without credentials.
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface Mail {
  to: string[];
  subject: string;
  html: string;
  text: string;
}

/** Messages received, and a way to wait for one; fed by the SMTP server (in whichever thread it runs). */
export class MailBox {
  readonly mails: Mail[] = [];
  readonly #taken = new Set<Mail>();
  readonly #waiting = new Set<() => void>();

  add(mail: Mail): void {
    this.mails.push(mail);
    for (const wake of this.#waiting) wake();
  }

  /** The first message to `to` (not taken before) whose subject matches, waiting for it to arrive. */
  next(to: string, subject: RegExp, timeout = 15_000): Promise<Mail> {
    return new Promise<Mail>((resolve, reject) => {
      const check = () => {
        const mail = this.mails.find(
          (mail) =>
            !this.#taken.has(mail) && mail.to.includes(to.toLowerCase()) && subject.test(mail.subject),
        );
        if (!mail) return;
        this.#taken.add(mail);
        this.#waiting.delete(check);
        clearTimeout(timer);
        resolve(mail);
      };
      const timer = setTimeout(() => {
        this.#waiting.delete(check);
        reject(new Error(`no email to ${to} matching ${subject} within ${timeout} ms`));
      }, timeout);
      this.#waiting.add(check);
      check();
    });
  }
}

/** Starts the SMTP server; `onMail` receives each parsed message. */
export async function startSmtp(
  onMail: (mail: Mail) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const to = [parsed.to ?? []]
            .flat()
            .flatMap((group) => group.value.map((address) => (address.address ?? "").toLowerCase()));
          onMail({
            to,
            subject: parsed.subject ?? "",
            html: typeof parsed.html === "string" ? parsed.html : "",
            text: parsed.text ?? "",
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The token in a PocketBase email's action link (verification, password reset, email change). */
export function tokenFromMail(mail: Mail, action: string): string {
  const match = new RegExp(`/auth/${action}/([\\w-]+\\.[\\w-]+\\.[\\w-]+)`).exec(mail.html);
  if (!match?.[1]) throw new Error(`no ${action} link in the email "${mail.subject}"`);
  return match[1];
}

/** The one-time password in PocketBase's OTP email. */
export function otpFromMail(mail: Mail): string {
  const match = /one-time password is:\s*<strong>\s*(\w+)\s*<\/strong>/i.exec(mail.html);
  if (!match?.[1]) throw new Error(`no one-time password in the email "${mail.subject}"`);
  return match[1];
}
