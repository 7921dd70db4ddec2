import type { FastifyReply, FastifyRequest } from "fastify";
import { KanalError } from "../core/index.js";
import type { Access } from "./access.js";
import type { HtmlValue } from "./html.js";
import type { Section } from "./layout.js";
import type { SignedIn } from "./sessions.js";
import type { Texts } from "./texts.js";

/** What a request of the console knows about its sender, set by the onRequest hook. */
export interface ConsoleRequestState {
  t: Texts;
  user?: SignedIn & Access & { roleLabel: string };
  /** The browser sent a session cookie (so a missing session means it ended). */
  hadSession: boolean;
  https: boolean;
}

export const states = new WeakMap<FastifyRequest, ConsoleRequestState>();

export function stateOf(request: FastifyRequest): ConsoleRequestState {
  const state = states.get(request);
  if (!state) throw new Error("console request without state: is the route registered inside the console plugin?");
  return state;
}

/** The signed-in person of a route that requires one (the hook has refused everyone else). */
export function userOf(request: FastifyRequest): NonNullable<ConsoleRequestState["user"]> {
  const user = stateOf(request).user;
  if (!user) throw new KanalError("KA_BAD_REQUEST", "not signed in");
  return user;
}

/** Route options: `public` pages need no sign-in; `background` requests do not count as activity. */
export interface ConsoleRouteConfig {
  public?: boolean;
  background?: boolean;
}

/** Only paths of the console itself may be where a sign-in leads: never another site. */
export function safeNext(next: unknown): string {
  if (typeof next !== "string" || next.length > 500) return "/staff/inbox";
  if (!/^\/staff(\/|\?|$)/.test(next) || /[\\\s]|\/\/|%2f|%5c/i.test(next) || next.startsWith("/staff/login")) return "/staff/inbox";
  return next;
}

export interface Renderer {
  /** A whole page in the console's frame, with a fresh CSRF token for its forms. */
  page(
    request: FastifyRequest,
    reply: FastifyReply,
    content: { title: string; section?: Section; live?: boolean; body: (csrf: string) => HtmlValue },
  ): string;
  csrf(request: FastifyRequest, reply: FastifyReply): string;
  /** A page that says why something could not be done, with the right status. */
  problem(request: FastifyRequest, reply: FastifyReply, status: number, message: string): string;
}

declare module "fastify" {
  // The console's route options (see ConsoleRouteConfig).
  interface FastifyContextConfig {
    public?: boolean;
    background?: boolean;
  }
}
