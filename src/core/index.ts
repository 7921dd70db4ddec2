export * from "./message.js";
export * from "./channel.js";
export * from "./category.js";
export * from "./ticket.js";
export * from "./errors.js";
export * from "./staff.js";
export * from "./text.js";
export * from "./files.js";
