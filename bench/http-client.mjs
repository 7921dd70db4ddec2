// The load generator of the HTTP benchmark: undici's pool of `clients` keep-alive connections.
// chat mode: `users` virtual citizens, `clients` at a time, each opening a web-chat session and
// completing the anonymous intake: 7 requests each, every one timed (the session's opening is a
// durable write too), after `warmup` citizens. floor mode: `requests` POSTs after `warmup` of them (300 if not given).
// undici, not node:http: node:http's client spends about three times the CPU on a request, and the
// bare floor ran as fast as that client could send, not as fast as the bare server answers — half
// as fast, side by side on 2026-12-06 (README, Benchmark). `node-http` as the sixth argument sends
// through node:http's keep-alive agent instead: the load generator of the bench until 2026-12-06
// 11:35, with which issue 17's baseline ratio was measured, for figures comparable with it.
import http from "node:http";
import { Pool } from "undici";

const [url, mode, count, clients, warmupArg, via] = process.argv.slice(2);
const INTAKE = ["1", "anonim", "2", "Petugas loket meminta biaya tambahan untuk mempercepat KTP", "lewati", "ya"];

function undiciPost() {
  const connections = new Pool(url, { connections: Number(clients) });
  async function post(path, body) {
    const response = await connections.request({
      path,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) throw new Error(`${response.statusCode} ${text}`);
    return JSON.parse(text);
  }
  return { post, close: () => connections.close() };
}

function nodeHttpPost() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number(clients) });
  const { hostname, port } = new URL(url);
  const post = (path, body) =>
    new Promise((resolve, reject) => {
      const data = JSON.stringify(body);
      const request = http.request(
        {
          hostname,
          port,
          path,
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) },
        },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk) => (text += chunk));
          response.on("end", () =>
            response.statusCode >= 400 ? reject(new Error(`${response.statusCode} ${text}`)) : resolve(JSON.parse(text)),
          );
        },
      );
      request.on("error", reject);
      request.end(data);
    });
  return { post, close: async () => agent.destroy() };
}

const { post, close } = via === "node-http" ? nodeHttpPost() : undiciPost();

async function pool(n, worker) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Number(clients) }, async () => {
      while (next < n) await worker(next++);
    }),
  );
}

async function chat(n, latencies) {
  await pool(n, async () => {
    const opened = performance.now();
    const { sessionId } = await post("/api/webchat/sessions", {});
    latencies?.push(performance.now() - opened);
    for (const text of INTAKE) {
      const s = performance.now();
      const { replies } = await post(`/api/webchat/sessions/${sessionId}/messages`, { text });
      latencies?.push(performance.now() - s);
      if (text === "ya" && !/ADU-\d{4}-\d{5}/.test(replies.map((r) => r.text).join(" "))) throw new Error("no ticket");
    }
  });
}

const n = Number(count);
const latencies = [];
let started;
// "WARM": the measured part starts now (bench/run.ts has the server count its CPU from here).
if (mode === "chat") {
  if (Number(warmupArg) > 0) await chat(Number(warmupArg));
  process.stdout.write("WARM\n");
  started = performance.now();
  await chat(n, latencies);
} else {
  await pool(Number(warmupArg ?? 300), () => post("/floor", {}));
  process.stdout.write("WARM\n");
  started = performance.now();
  await pool(n, async () => {
    const s = performance.now();
    await post("/floor", {});
    latencies.push(performance.now() - s);
  });
}
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
process.stdout.write(
  JSON.stringify({
    mode,
    count: n,
    clients: Number(clients),
    seconds,
    requests: latencies.length,
    perSecond: n / seconds,
    requestsPerSecond: latencies.length / seconds,
    p50ms: pct(50),
    p99ms: pct(99),
  }) + "\n",
);
await close();
