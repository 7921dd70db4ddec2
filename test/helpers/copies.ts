import type { Database } from "../../src/db/index.js";

/**
 * Many rows for a test, made by the database itself from one row the flow made: filing thousands of
 * complaints through the flow would take minutes. `n.i` counts the copies in the statements below.
 */

/** `n.i` as text, zero-padded to `width` digits, in the database's own dialect. */
export function paddedNumber(db: Database, width: number): string {
  return db.provider === "sqlite" ? `printf('%0${width}d', i)` : `lpad(CAST(i AS TEXT), ${width}, '0')`;
}

/** The numbers `first` … `last` as the rows of `n(i)`: a WITH clause to put before the INSERT. */
export function numbers(first: number, last: number): string {
  return `WITH RECURSIVE n(i) AS (SELECT ${first} UNION ALL SELECT i + 1 FROM n WHERE i < ${last})`;
}

/**
 * Copies of complaint `id` numbered 2 … `last`: id `copy-<i>`, ticket `ADU-2026-<i, 5 digits>`,
 * seq i, every other column as the original's (the tracking code left empty: it is unique).
 */
export async function copyComplaint(db: Database, id: string, last: number): Promise<void> {
  const [row] = await db.sql.query<Record<string, unknown>>(`SELECT * FROM "Complaint" WHERE "id" = ?`, [id]);
  if (!row) throw new Error(`no complaint ${id} to copy`);
  const columns = Object.keys(row).filter((c) => !["id", "ticket", "seq", "trackingHash"].includes(c));
  await db.sql.execute(
    `${numbers(2, last)}
     INSERT INTO "Complaint" ("id", "ticket", "seq", ${columns.map((c) => `"${c}"`).join(", ")})
     SELECT 'copy-' || CAST(i AS TEXT), 'ADU-2026-' || ${paddedNumber(db, 5)}, i, ${columns.map((c) => `c."${c}"`).join(", ")}
     FROM n, "Complaint" c WHERE c."id" = ?`,
    [id],
  );
}
