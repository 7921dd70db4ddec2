import { presetRolesOf, roleById, type SopPreset } from "../complaints/index.js";
import type { Database } from "../db/index.js";
import type { StaffActor } from "./actor.js";

/** Roles that may see a reporter's full identity (SOPs: the head of office and the unit heads). */
export const IDENTITY_ROLES = new Set(["admin", "pimpinan", "kasi"]);

/**
 * Staff.role is one of these generic roles (what `npm run staff` offers) or a role id of the SOP
 * preset (camat, sekretaris, jfu, …; see presetRolesOf for how each maps to preset roles). Besides
 * IDENTITY_ROLES, the preset's head role and roles marked "seesIdentity" may see identities.
 */
export function mayViewIdentity(sop: SopPreset, role: string): boolean {
  if (IDENTITY_ROLES.has(role)) return true;
  return [...presetRolesOf(sop, role)].some((id) => roleById(sop, id)?.seesIdentity === true);
}

/**
 * Staff are the active rows of the Staff table (npm run staff -- add …) and the ids of
 * STAFF_TELEGRAM_IDS; the table wins where both name someone, so a role set there counts.
 */
export async function findStaff(db: Database, envIds: readonly string[], telegramId: string): Promise<StaffActor | undefined> {
  const row = await db.prisma.staff.findUnique({ where: { telegramId } });
  if (row) return row.active ? { staffId: row.id, telegramId, name: row.name, role: row.role, via: "telegram" } : undefined;
  if (envIds.includes(telegramId))
    return { staffId: `telegram:${telegramId}`, telegramId, name: `staf ${telegramId}`, role: "staf", via: "telegram" };
  return undefined;
}
