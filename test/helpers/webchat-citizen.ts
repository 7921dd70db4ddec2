import { TRACKING_CODE_ALPHABET } from "../../src/core/index.js";

export interface Evidence {
  filename: string;
  mime: string;
  bytes: Uint8Array;
}

export interface Filing {
  /**
   * Answers to the questions the intake asks between the name and the category (a contact, an
   * address), in order; a question past them is skipped where it may be, else given a test e-mail.
   */
  details?: string[];
  /** The category's menu number; "2" (Pelayanan) unless given. */
  category?: string;
  evidence?: Evidence;
}

export interface Receipt {
  ticket: string;
  code: string;
  /** The receipt's whole text. */
  text: string;
}

const TICKET = /ADU-\d{4}-\d{5,}/;
const CODE = new RegExp(`(?:kode|code)\\W+([${TRACKING_CODE_ALPHABET}]{8})`, "i");

/** A citizen on the website chat, over its HTTP API (what the chat page itself calls). */
export class WebchatCitizen {
  sessionId = "";
  private cursor: string | undefined;

  /**
   * `headers` go with every request: behind a trusted proxy an X-Forwarded-For makes each citizen
   * its own client for the per-client rate limits.
   */
  constructor(
    readonly base: string,
    private readonly headers: Readonly<Record<string, string>> = {},
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(this.base + path, {
      method,
      headers: { ...this.headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as Record<string, unknown>;
  }

  async start(): Promise<void> {
    const opened = await this.call("POST", "/api/webchat/sessions", {});
    this.sessionId = opened.sessionId as string;
    await this.newMessages();
  }

  /** Sends one message; answers the bot's replies (texts and option labels). */
  async say(text: string): Promise<{ text: string; options: string[] }[]> {
    const answer = await this.call("POST", `/api/webchat/sessions/${this.sessionId}/messages`, { text });
    return (answer.replies as { text: string; options?: string[] }[]).map((r) => ({ text: r.text, options: r.options ?? [] }));
  }

  /** Sends a file as the chat page does (multipart, one field named file). */
  async upload(file: Evidence): Promise<void> {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(file.bytes)], { type: file.mime }), file.filename);
    const response = await fetch(`${this.base}/api/webchat/sessions/${this.sessionId}/attachments`, {
      method: "POST",
      headers: this.headers,
      body: form,
    });
    if (response.status !== 200) throw new Error(`upload answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  }

  /** What the office said since the last call (a staff reply comes this way, as the page polls for it). */
  async newMessages(): Promise<{ from: string; text: string }[]> {
    const query = this.cursor ? `?after=${encodeURIComponent(this.cursor)}` : "";
    const answer = await this.call("GET", `/api/webchat/sessions/${this.sessionId}/messages${query}`);
    if (typeof answer.cursor === "string") this.cursor = answer.cursor;
    return answer.messages as { from: string; text: string }[];
  }

  /** Files a complaint under a name, skipping what the intake lets skip (see file); answers the ticket. */
  async fileComplaint(name: string, text: string, evidence?: Evidence): Promise<string> {
    return (await this.file(name, text, evidence ? { evidence } : {})).ticket;
  }

  /**
   * Files a complaint under a name: the menu, the name, the details asked on the way (a contact, an
   * address) until the category question, the category, the text, the evidence or none, and "ya".
   */
  async file(name: string, text: string, filing: Filing = {}): Promise<Receipt> {
    const details = [...(filing.details ?? [])];
    await this.say("1");
    let replies = await this.say(name);
    for (let i = 0; i < 4 && !replies.some((r) => r.options.some((o) => /pelayanan/i.test(o))); i++) {
      const skip = replies.flatMap((r) => r.options).find((o) => /lewati/i.test(o));
      replies = await this.say(details.shift() ?? skip ?? "warga.uji@example.com");
    }
    // A detail never asked for would leave the complaint without what the test means it to hold.
    if (details.length > 0) throw new Error(`the intake did not ask for: ${details.join(", ")}`);
    await this.say(filing.category ?? "2");
    await this.say(text);
    if (filing.evidence) {
      await this.upload(filing.evidence);
      await this.say("selesai");
    } else {
      await this.say("lewati");
    }
    const receipt = (await this.say("ya")).map((r) => r.text).join("\n");
    const ticket = TICKET.exec(receipt)?.[0];
    const code = CODE.exec(receipt)?.[1];
    if (!ticket || !code) throw new Error(`no ticket or tracking code in the receipt: ${receipt}`);
    await this.newMessages();
    return { ticket, code, text: receipt };
  }
}
