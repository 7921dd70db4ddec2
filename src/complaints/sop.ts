import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

const localized = z.object({ id: z.string().min(1), en: z.string().min(1) });

/** An office's SOP: its roles and the steps a complaint goes through, each with its time standard. */
export const sopPresetSchema = z
  .object({
    name: z.string().min(1),
    title: localized,
    source: z.string().optional(),
    roles: z.array(z.object({ id: z.string().min(1), label: localized })).min(1),
    steps: z
      .array(
        z.object({
          id: z.string().regex(/^[a-z][a-z0-9-]*$/),
          label: localized,
          role: z.string().min(1),
          /** The step's time standard (Mutu Baku – Waktu), in calendar minutes. */
          minutes: z.number().int().positive(),
        }),
      )
      .min(1),
  })
  .superRefine((sop, ctx) => {
    const roles = new Set(sop.roles.map((r) => r.id));
    sop.steps.forEach((step, i) => {
      if (!roles.has(step.role)) {
        ctx.addIssue({ code: "custom", path: ["steps", i, "role"], message: `unknown role "${step.role}"` });
      }
    });
  });

export type SopPreset = z.output<typeof sopPresetSchema>;
export type SopStep = SopPreset["steps"][number];

export function loadSopPreset(templatesDir: string, name: string): SopPreset {
  const path = join(templatesDir, "sop", `${name}.json`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`SOP_PRESET ${name}: cannot read ${path} (${(error as Error).message})`);
  }
  const parsed = sopPresetSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`SOP_PRESET ${name}: ${issue.path.join(".")} ${issue.message}`);
  }
  return parsed.data;
}

export function firstStep(sop: SopPreset): SopStep {
  return sop.steps[0]!;
}

export function stepById(sop: SopPreset, id: string): SopStep | undefined {
  return sop.steps.find((s) => s.id === id);
}

export function dueAt(step: SopStep, startedAt: Date): Date {
  return new Date(startedAt.getTime() + step.minutes * 60_000);
}
