/** The four categories of seed 004's complaint form FM-PDIP-03-01, in the form's order. */
export const CATEGORIES = ["Perilaku Pegawai", "Pelayanan", "Sarana Prasarana", "Lain-lain"] as const;
export type Category = (typeof CATEGORIES)[number];

export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}
