import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable, rethrowUnavailable } from "../../src/db/index.js";

// What the drivers and Prisma say when the database is away: a retry (503), never a bug (500).
describe("isDatabaseUnavailable", () => {
  it.each([
    ["a pooled pg client whose connection broke", new Error("Client has encountered a connection error and is not queryable")],
    ["a database refusing connections", new Error('database "x" is not currently accepting connections')],
    ["the server shutting down", Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" })],
    ["Prisma's transaction that could not start", Object.assign(new Error("Transaction API error"), { code: "P2028" })],
    [
      "a cause two levels down",
      new Error("wrapped", { cause: new Error("outer", { cause: new Error("connect ECONNREFUSED 127.0.0.1:5432") }) }),
    ],
    ["SQLite's lock held past the busy timeout", new Error("SQLITE_BUSY: database is locked")],
    ["no pooled PostgreSQL connection within the connect timeout", new Error("timeout exceeded when trying to connect")],
    [
      "a statement cut by the pool's statement_timeout",
      Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" }),
    ],
  ])("%s", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(() => rethrowUnavailable(error)).toThrow(expect.objectContaining({ code: "KA_DATABASE" }));
  });

  it.each([
    ["a unique constraint", Object.assign(new Error("Unique constraint failed"), { code: "P2002" })],
    ["a bug", new TypeError("Cannot read properties of undefined")],
    ["nothing", undefined],
  ])("not %s", (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
