/**
 * Images a citizen sends in the web chat come back as thumbnails: the history names the files on
 * the message that carried them, and each image is served to that session only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.js";
import { SAMPLES } from "../helpers/sample-files.js";

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

interface HistoryBody {
  messages: { id: string; from: string; text: string; files?: { id: string; mime: string; name?: string }[] }[];
  cursor: string;
}

async function newSession(): Promise<string> {
  const res = await fetch(`${app.url}/api/webchat/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { sessionId: string }).sessionId;
}

async function say(id: string, text: string): Promise<void> {
  const res = await fetch(`${app.url}/api/webchat/sessions/${id}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text }),
  });
  expect(res.status).toBe(200);
}

async function upload(id: string, name: string, bytes: Uint8Array, type: string): Promise<number> {
  const form = new FormData();
  form.append("file", new Blob([Buffer.from(bytes)], { type }), name);
  return (await fetch(`${app.url}/api/webchat/sessions/${id}/attachments`, { method: "POST", body: form })).status;
}

const history = async (id: string) => (await (await fetch(`${app.url}/api/webchat/sessions/${id}/messages`)).json()) as HistoryBody;
const image = (id: string, fileId: string) => fetch(`${app.url}/api/webchat/sessions/${id}/files/${fileId}`);

describe("web-chat thumbnails", () => {
  it("the history lists each message's files, and an image is served to its own session only", async () => {
    const id = await newSession();
    // Evidence is taken while a complaint is being written.
    for (const text of ["1", "anonim", "warga@contoh.id", "Jl. Merdeka 10", "2", "Antrean di loket KTP sangat panjang sejak pagi"]) {
      await say(id, text);
    }
    expect(await upload(id, "antrean.png", SAMPLES.png, "image/png")).toBe(200);
    expect(await upload(id, "surat.pdf", SAMPLES.pdf, "application/pdf")).toBe(200);

    const withFiles = (await history(id)).messages.filter((m) => m.files);
    expect(withFiles.map((m) => m.from)).toEqual(["citizen", "citizen"]);
    const [png, pdf] = withFiles.map((m) => m.files![0]!);
    expect(png).toMatchObject({ mime: "image/png", name: "antrean.png" });
    expect(pdf).toMatchObject({ mime: "application/pdf", name: "surat.pdf" });
    expect(withFiles[0]!.text).toContain("antrean.png");

    const res = await image(id, png!.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(SAMPLES.png);

    // Another session, a file that is not an image, an unknown id: nothing.
    const other = await newSession();
    expect((await image(other, png!.id)).status).toBe(404);
    expect((await image(id, pdf!.id)).status).toBe(404);
    expect((await image(id, "00000000-0000-0000-0000-000000000000")).status).toBe(404);
    expect((await image(id, "..%2F..%2Fetc%2Fpasswd")).status).toBe(404);
    expect((await image("no-such-session", png!.id)).status).toBe(404);
  });
});
