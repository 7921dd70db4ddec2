import { describe, expect, it } from "vitest";
import { newOrderedId, newOrderedSecret } from "../../src/db/index.js";

describe("newOrderedId", () => {
  it("sorts in creation order, within one millisecond and when the clock steps back", () => {
    const ids = [
      ...Array.from({ length: 500 }, () => newOrderedId(1_900_000_000_000)),
      newOrderedId(1_900_000_000_001),
      newOrderedId(1_899_999_999_000),
      newOrderedId(1_900_000_000_002),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => /^[0-9a-z]{13}[0-9a-f]{16}$/.test(id))).toBe(true);
  });
});

describe("newOrderedSecret", () => {
  it("sorts in creation order and carries all its random bytes (a web-chat session id)", () => {
    const secrets = [
      ...Array.from({ length: 200 }, () => newOrderedSecret(18, 1_900_000_000_100)),
      newOrderedSecret(18, 1_900_000_000_101),
      newOrderedSecret(18, 1_900_000_000_050),
    ];
    expect(new Set(secrets).size).toBe(secrets.length);
    expect([...secrets].sort()).toEqual(secrets);
    // 13 characters of time and counter, then 18 bytes in base64url (24 characters): what the web
    // chat's routes accept as a session id.
    expect(secrets.every((s) => /^[0-9a-z]{13}[A-Za-z0-9_-]{24}$/.test(s))).toBe(true);
    // The random part is not the counter's: no two secrets of one millisecond share it.
    expect(new Set(secrets.map((s) => s.slice(13))).size).toBe(secrets.length);
  });
});
