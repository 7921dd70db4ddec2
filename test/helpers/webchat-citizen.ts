/** A citizen on the website chat, over its HTTP API (what the chat page itself calls). */
export class WebchatCitizen {
  sessionId = "";
  private cursor: string | undefined;

  constructor(readonly base: string) {}

  private async call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(this.base + path, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
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
  async upload(file: { filename: string; mime: string; bytes: Uint8Array }): Promise<void> {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(file.bytes)], { type: file.mime }), file.filename);
    const response = await fetch(`${this.base}/api/webchat/sessions/${this.sessionId}/attachments`, { method: "POST", body: form });
    if (response.status !== 200) throw new Error(`upload answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  }

  /** What the office said since the last call (a staff reply comes this way, as the page polls for it). */
  async newMessages(): Promise<{ from: string; text: string }[]> {
    const query = this.cursor ? `?after=${encodeURIComponent(this.cursor)}` : "";
    const answer = await this.call("GET", `/api/webchat/sessions/${this.sessionId}/messages${query}`);
    if (typeof answer.cursor === "string") this.cursor = answer.cursor;
    return answer.messages as { from: string; text: string }[];
  }

  /**
   * Files a complaint under a name, answering whatever the intake asks on the way (a contact, an
   * address) until the category question, then the text, no evidence, and "ya". Answers the ticket.
   */
  async fileComplaint(name: string, text: string, evidence?: { filename: string; mime: string; bytes: Uint8Array }): Promise<string> {
    await this.say("1");
    let replies = await this.say(name);
    for (let i = 0; i < 4 && !replies.some((r) => r.options.some((o) => /pelayanan/i.test(o))); i++) {
      const skip = replies.flatMap((r) => r.options).find((o) => /lewati/i.test(o));
      replies = await this.say(skip ?? "warga.uji@example.com");
    }
    await this.say("2");
    await this.say(text);
    if (evidence) {
      await this.upload(evidence);
      await this.say("selesai");
    } else {
      await this.say("lewati");
    }
    const receipt = (await this.say("ya")).map((r) => r.text).join("\n");
    const ticket = /ADU-\d{4}-\d{5,}/.exec(receipt)?.[0];
    if (!ticket) throw new Error(`no ticket in the receipt: ${receipt}`);
    await this.newMessages();
    return ticket;
  }
}
