import { describe, expect, it } from "vitest";
import { hashPassword, needsRehash, verifyPassword } from "../../src/console/passwords.js";

describe("console passwords (scrypt)", () => {
  it("verifies the password it hashed, and nothing else", async () => {
    const hash = await hashPassword("sandi yang cukup panjang");
    expect(await verifyPassword("sandi yang cukup panjang", hash)).toBe(true);
    for (const wrong of ["", "sandi yang cukup panjan", "Sandi yang cukup panjang", "sandi yang cukup panjang "]) {
      expect(await verifyPassword(wrong, hash), JSON.stringify(wrong)).toBe(false);
    }
  });

  it("treats a password typed in another Unicode form as the same (NFKC)", async () => {
    const hash = await hashPassword("kafé-kafé-kafé");
    expect(await verifyPassword("kafe\u0301-kafe\u0301-kafe\u0301", hash)).toBe(true);
  });

  it("keeps the cost with the hash: an older, cheaper hash still verifies and asks to be re-hashed", async () => {
    const cheap = await hashPassword("sandi lama yang panjang", { log2N: 12, r: 8, p: 1 });
    expect(cheap.startsWith("scrypt$12$8$1$")).toBe(true);
    expect(await verifyPassword("sandi lama yang panjang", cheap)).toBe(true);
    expect(needsRehash(cheap)).toBe(true);
    expect(needsRehash(await hashPassword("sandi baru yang panjang"))).toBe(false);
  });

  it("refuses hashes it did not write, and costs that would exhaust memory", async () => {
    const hash = await hashPassword("sandi yang cukup panjang");
    const parts = hash.split("$");
    for (const forged of [
      "",
      "plain text",
      `bcrypt$${parts.slice(1).join("$")}`,
      ["scrypt", "30", ...parts.slice(2)].join("$"),
      ["scrypt", "15", "8", "99", ...parts.slice(4)].join("$"),
      [...parts.slice(0, 5), "AAAA"].join("$"),
    ]) {
      expect(await verifyPassword("sandi yang cukup panjang", forged), forged).toBe(false);
    }
  });
});
