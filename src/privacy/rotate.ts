import {
  identityKeyring,
  identityKeyUse,
  installIdentityKeyring,
  keyringOf,
  newKeyText,
  parseKeyList,
  resealIdentities,
  writeKeyFile,
  type Database,
  type PassCount,
} from "../db/index.js";
import { readFileSync } from "node:fs";

export interface RotationResult {
  keyId: string;
  /** The keys the data was under before, now unused. */
  retired: string[];
  resealed: PassCount;
  source: "setting" | "file";
}

/**
 * Re-encrypts every identity under the current key. With the generated key file, a new key is made
 * first and written in front of the old one (so a crash half-way leaves both, and running again
 * finishes); the old one leaves the file only when no value needs it. With IDENTITY_KEY the
 * operator lists the new key first and the old after it, and drops the old once this succeeds.
 */
export async function rotateIdentityKey(db: Database): Promise<RotationResult> {
  let ring = identityKeyring();
  const before = await identityKeyUse(db.sql);
  if (ring.source === "file" && ring.file) {
    const lines = readFileSync(ring.file, "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"));
    const fresh = newKeyText();
    writeKeyFile(ring.file, [fresh, ...lines]);
    ring = keyringOf(parseKeyList([fresh, ...lines].join("\n")), "file", ring.file);
    installIdentityKeyring(ring);
  }
  const resealed = await resealIdentities(db.sql, ring);
  const after = await identityKeyUse(db.sql);
  const left = [...after.keys()].filter((id) => id !== ring.current.id);
  if (left.length > 0) throw new Error(`values are still under ${left.join(", ")}: nothing was dropped; run rotate-key again`);
  if (ring.source === "file" && ring.file) {
    writeKeyFile(ring.file, [ring.current.key.toString("base64")]);
    ring = keyringOf([ring.current.key], "file", ring.file);
    installIdentityKeyring(ring);
  }
  return { keyId: ring.current.id, retired: [...before.keys()].filter((id) => id !== ring.current.id), resealed, source: ring.source };
}
