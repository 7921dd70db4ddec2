export * from "./types.js";
export { step, initialState } from "./step.js";
export { startRating } from "./rating.js";
export { parseGlobal, normalize, type GlobalCommand } from "./keywords.js";
export { parseContact, parseEmail, parsePhone, type ContactParse } from "./parse-contact.js";
export { parseCategory, CATEGORY_KEYS } from "./parse-category.js";
export { parseMenuChoice, parseEditChoice, parseRating, type MenuChoice, type EditField } from "./parse-choice.js";
export { parseName, parseAddress, checkText, looksLikeComplaint, TEXT_MAX_CHARS } from "./parse-answer.js";
export { damerauLevenshtein } from "./damerau.js";
