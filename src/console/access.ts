import { headRole, presetRolesOf, roleById, type SopPreset } from "../complaints/index.js";
import { mayViewIdentity } from "../staff/index.js";
import type { Locale } from "../core/index.js";

/**
 * Who may open which console page. Acting on a complaint is decided by the staff commands (the same
 * rules as in the Telegram group); these only gate the pages that are not about one complaint.
 */
export interface Access {
  /** Staf page: people, roles, logins. */
  mayAdmin: boolean;
  /** Audit page: every staff action and identity view. */
  mayAudit: boolean;
  /** The reporter's identity, on request and audited (the same rule as /identitas). */
  mayViewIdentity: boolean;
}

export function accessOf(sop: SopPreset, role: string): Access {
  const head = headRole(sop).id;
  return {
    mayAdmin: role === "admin",
    mayAudit: role === "admin" || role === "pimpinan" || presetRolesOf(sop, role).has(head),
    mayViewIdentity: mayViewIdentity(sop, role),
  };
}

const GENERIC_LABELS: Record<string, Record<Locale, string>> = {
  staf: { id: "Staf", en: "Staff" },
  kasi: { id: "Kasi", en: "Section head" },
  pimpinan: { id: "Pimpinan", en: "Head of office" },
  admin: { id: "Admin", en: "Admin" },
};

/** A role's name for people: the preset's label for its own roles, the generic role's name otherwise. */
export function roleLabel(sop: SopPreset, role: string, locale: Locale): string {
  return roleById(sop, role)?.label[locale] ?? GENERIC_LABELS[role]?.[locale] ?? role;
}
