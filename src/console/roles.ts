import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadSopPreset, type SopPreset } from "../complaints/index.js";

/** The roles every office has, whatever its SOP preset; each preset maps them to its own roles. */
export const GENERIC_ROLES = ["staf", "kasi", "pimpinan", "admin"] as const;

/**
 * What Staff.role may be: a generic role, or a role of the office's preset that a person can hold
 * (not the citizen's own role, nor an outside agency, which never hold a step).
 */
export function validStaffRoles(sop: SopPreset): string[] {
  return [...GENERIC_ROLES, ...sop.roles.filter((r) => !r.citizen && !r.external).map((r) => r.id)];
}

/**
 * Why `role` cannot be a staff member's role under `sop`, with the valid ones and, for a role of
 * another preset, which preset has it (an office that copied a command from another office's
 * guide); undefined when it is valid.
 */
export function staffRoleProblem(role: string, sop: SopPreset, templatesDir: string): string | undefined {
  const valid = validStaffRoles(sop);
  if (valid.includes(role)) return undefined;
  const elsewhere = presetsWithRole(role, templatesDir).filter((name) => name !== sop.name);
  const where = elsewhere.length > 0 ? ` ("${role}" is a role of the ${elsewhere.join(", ")} preset, not of ${sop.name}: SOP_PRESET)` : "";
  return `unknown role "${role}"${where}; valid roles: ${valid.join(", ")}`;
}

/** The presets in templates/sop/ that have a role with this id. */
export function presetsWithRole(role: string, templatesDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(templatesDir, "sop"))
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
  return names.filter((name) => {
    try {
      return loadSopPreset(templatesDir, name).roles.some((r) => r.id === role);
    } catch {
      // A broken preset that is not the office's own says nothing about this role.
      return false;
    }
  });
}
