import type { Database } from "../db/index.js";

export interface StaffMember {
  telegramId: string;
  name: string;
  role: string;
}

/** Roles that may see a reporter's full identity (SOPs: the head of office and the unit heads). */
export const IDENTITY_ROLES = new Set(["admin", "pimpinan", "kasi"]);

/**
 * Staff are the active rows of the Staff table (npm run staff -- add …) and the ids of
 * STAFF_TELEGRAM_IDS; the table wins where both name someone, so a role set there counts.
 */
export async function findStaff(db: Database, envIds: readonly string[], telegramId: string): Promise<StaffMember | undefined> {
  const row = await db.prisma.staff.findUnique({ where: { telegramId } });
  if (row) return row.active ? { telegramId, name: row.name, role: row.role } : undefined;
  if (envIds.includes(telegramId)) return { telegramId, name: `staf ${telegramId}`, role: "staf" };
  return undefined;
}
