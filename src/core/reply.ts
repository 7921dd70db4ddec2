/** A template value: plain, or another template key rendered in the same locale. */
export type TemplateValue = string | number | { key: string };

/**
 * One message as template keys, rendered later in its reader's locale (templates/<locale>/*.json):
 * the flow's replies to citizens, the staff's answers and notices alike.
 */
export interface Reply {
  key: string;
  vars?: Record<string, TemplateValue>;
  /** Template keys of answer options (buttons where the channel has them). */
  options?: string[];
}
