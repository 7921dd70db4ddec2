// The load generator of the HTTP benchmark: plain node:http with keep-alive, `clients` connections.
// chat mode: `users` virtual citizens, `clients` at a time, each opening a web-chat session and
// completing the anonymous intake: 7 requests each, every one timed (the session's opening is a
// durable write too). floor mode: `requests` POSTs.
import http from "node:http";

const [url, mode, count, clients, warmupArg] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(clients) });
const { hostname, port } = new URL(url);
const INTAKE = ["1", "anonim", "2", "Petugas loket meminta biaya tambahan untuk mempercepat KTP", "lewati", "ya"];

function post(path, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(
      {
        hostname,
        port,
        path,
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => (res.statusCode >= 400 ? reject(new Error(`${res.statusCode} ${text}`)) : resolve(JSON.parse(text))));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

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
if (mode === "chat") {
  if (Number(warmupArg) > 0) await chat(Number(warmupArg));
  started = performance.now();
  await chat(n, latencies);
} else {
  await pool(300, () => post("/floor", {}));
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
agent.destroy();
