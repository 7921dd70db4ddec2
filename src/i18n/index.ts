export { loadTemplates, DEFAULT_TEMPLATE_DIR, type Templates } from "./load-templates.js";
export { render, templateVars } from "./render.js";
