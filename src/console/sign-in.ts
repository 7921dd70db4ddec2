import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { isUsername, normaliseUsername } from "./accounts.js";
import { safeNext, stateOf, type Renderer } from "./context.js";
import { html } from "./html.js";
import { decoyHash, hashPassword, needsRehash, verifyPassword } from "./passwords.js";
import { purgeSessions, startSession } from "./sessions.js";
import { accountKey, blockedFor, clearFailures, clientKey, recordFailure } from "./throttle.js";
import type { ConsoleDeps } from "./types.js";

/** The sign-in form's fields; anything else (a repeated field arrives as an array) is refused. */
const signInForm = z.object({
  username: z.string().max(200),
  password: z.string().max(1024),
  next: z.string().max(500).optional(),
  _csrf: z.string().max(200),
});

interface Notice {
  kind: "error" | "info";
  text: string;
}

export function signInRoutes(deps: ConsoleDeps, renderer: Renderer, options: { sessionCookie: string; idleMs: number }) {
  const { db, settings } = deps;
  const clock = deps.clock ?? (() => new Date());

  function form(request: FastifyRequest, reply: FastifyReply, values: { username?: string; next: string; notice?: Notice }): string {
    const { t } = stateOf(request);
    return renderer.page(request, reply, {
      title: t("console.login.title"),
      body: (csrf) =>
        html`<section class="sign-in">
          <h1>${t("console.login.title")}</h1>
          <p>${t("console.login.intro")}</p>
          ${
            values.notice
              ? html`<p class="notice ${values.notice.kind}" role="${values.notice.kind === "error" ? "alert" : "status"}">
                  ${values.notice.text}
                </p>`
              : ""
          }
          <form method="post" action="/staff/login" class="stack">
            <input type="hidden" name="_csrf" value="${csrf}" />
            <input type="hidden" name="next" value="${values.next}" />
            <label for="username">${t("console.login.username")}</label>
            <input
              id="username"
              name="username"
              autocomplete="username"
              autocapitalize="none"
              spellcheck="false"
              required
              maxlength="32"
              value="${values.username ?? ""}"
              ${values.username ? "" : html`autofocus`}
            />
            <label for="password">${t("console.login.password")}</label>
            <input
              id="password"
              name="password"
              type="password"
              autocomplete="current-password"
              required
              maxlength="256"
              ${values.username ? html`autofocus` : ""}
            />
            <button type="submit">${t("console.login.submit")}</button>
          </form>
        </section>`,
    });
  }

  return async (app: FastifyInstance) => {
    app.get("/login", { config: { public: true } }, async (request, reply) => {
      const state = stateOf(request);
      const query = request.query as Record<string, unknown>;
      const next = safeNext(query.next);
      if (state.user) return reply.redirect(next, 303);
      const minutes = settings.idleMinutes;
      const notice: Notice | undefined =
        query.out === "1"
          ? { kind: "info", text: state.t("console.login.signedOut") }
          : query.expired === "1"
            ? { kind: "info", text: state.t("console.login.expired", { minutes }) }
            : undefined;
      return form(request, reply, { next, ...(notice ? { notice } : {}) });
    });

    app.post("/login", { config: { public: true }, preHandler: app.csrfProtection.bind(app) }, async (request, reply) => {
      const { t } = stateOf(request);
      const parsed = signInForm.safeParse(request.body);
      if (!parsed.success) {
        reply.status(400);
        return form(request, reply, { next: "/staff/inbox", notice: { kind: "error", text: t("console.login.failed") } });
      }
      const { password } = parsed.data;
      const typed = normaliseUsername(parsed.data.username);
      // Only a possible username reaches the database (PostgreSQL refuses a NUL in text) or the page.
      const username = isUsername(typed) ? typed : "";
      const next = safeNext(parsed.data.next);
      const now = clock();
      const keys = [accountKey(username || "(not a username)"), clientKey(request.ip)];
      const wait = await blockedFor(db, keys, now);
      if (wait > 0) {
        reply.status(429).header("retry-after", String(wait));
        return form(request, reply, {
          username,
          next,
          notice: { kind: "error", text: t("console.login.throttled", { minutes: Math.ceil(wait / 60) }) },
        });
      }
      const login = !username ? null : await db.prisma.staffLogin.findUnique({ where: { username }, include: { staff: true } });
      const usable = login !== null && login.active && login.staff.active;
      // An unknown or disabled name costs the same time as a wrong password: no way to tell them apart.
      const ok = await verifyPassword(password, usable ? login.passwordHash : await decoyHash());
      if (!usable || !ok) {
        await recordFailure(db, keys, now);
        deps.log("console sign-in refused", { requestId: request.id, username: username.slice(0, 32) });
        reply.status(401);
        return form(request, reply, { username, next, notice: { kind: "error", text: t("console.login.failed") } });
      }
      await clearFailures(db, keys[0]!);
      const token = await startSession(db, login.id, now);
      await db.prisma.staffLogin.update({
        where: { id: login.id },
        data: { lastLoginAt: now, ...(needsRehash(login.passwordHash) ? { passwordHash: await hashPassword(password) } : {}) },
      });
      await purgeSessions(db, now, options.idleMs);
      reply.setCookie(options.sessionCookie, token, {
        path: "/staff",
        httpOnly: true,
        sameSite: "strict",
        secure: stateOf(request).https,
      });
      return reply.redirect(next, 303);
    });
  };
}
