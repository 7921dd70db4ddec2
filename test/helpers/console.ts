import { addWebLogin } from "../../src/console/index.js";
import type { Database } from "../../src/db/index.js";

/** A web login for tests (the CLI's own function, so the same checks and hashing). */
export async function webLogin(
  db: Database,
  username: string,
  role: string,
  options: { name?: string; telegramId?: string; password?: string } = {},
) {
  await addWebLogin(
    db,
    {
      username,
      name: options.name ?? username,
      role,
      password: options.password ?? `${username} password 123`,
      ...(options.telegramId ? { telegramId: options.telegramId } : {}),
    },
    new Date(),
  );
  return options.password ?? `${username} password 123`;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
  setCookies: string[];
}

/**
 * A browser without a browser: keeps cookies (per name, path ignored: everything is under /staff),
 * follows nothing by itself, and finds the CSRF token of the last page it fetched.
 */
export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  csrf = "";

  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  private async send(method: string, path: string, body?: string, extra: Record<string, string> = {}): Promise<Answer> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const response = await fetch(this.base + path, {
      method,
      redirect: "manual",
      headers: {
        ...this.headers,
        ...(cookie ? { cookie } : {}),
        ...(body !== undefined ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        ...extra,
      },
      body,
    });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(";");
      const [name, ...value] = pair!.split("=");
      const expired = attributes.some((a) => /^\s*expires=thu, 01 jan 1970/i.test(a)) || attributes.some((a) => /^\s*max-age=0$/i.test(a));
      if (expired || value.join("=") === "") this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value.join("="));
    }
    const text = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text) ?? /name="csrf-token" content="([^"]+)"/.exec(text);
    if (token) this.csrf = token[1]!;
    return { status: response.status, headers: response.headers, text, location: response.headers.get("location"), setCookies };
  }

  get(path: string, extra?: Record<string, string>): Promise<Answer> {
    return this.send("GET", path, undefined, extra);
  }

  /** A form post; the page's CSRF token is added unless the fields say otherwise. */
  post(path: string, fields: Record<string, string | string[]>, options: { csrf?: boolean } = {}): Promise<Answer> {
    const form = new URLSearchParams();
    if (options.csrf !== false && !("_csrf" in fields)) form.append("_csrf", this.csrf);
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
    return this.send("POST", path, form.toString());
  }

  async signIn(username: string, password: string): Promise<Answer> {
    await this.get("/staff/login");
    const answer = await this.post("/staff/login", { username, password });
    if (answer.status !== 303) throw new Error(`sign-in of ${username} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
    return answer;
  }
}
