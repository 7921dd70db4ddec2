export { loadTemplates, DEFAULT_TEMPLATE_DIR, type Templates } from "./load-templates.js";
export { onlyTemplateValues, render, templateVars } from "./render.js";
