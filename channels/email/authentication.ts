/**
 * Authentication-Results (RFC 8601) as the office's own mail server wrote them: whether the From
 * domain of a mail was proven (DMARC pass, or a DKIM/SPF pass aligned with it). Anyone can write
 * such a header into a mail, so only the server's own verdict counts:
 * - its authserv-id must be the one configured (EMAIL_TRUSTED_AUTHSERV_ID);
 * - only the topmost run of Authentication-Results headers is read: a receiving server prepends its
 *   own above everything the sender wrote (and RFC 8601 §5 has it delete incoming ones that claim
 *   its authserv-id), so a header lower down is the sender's and is ignored.
 */
import { domainOf } from "./address.js";

export type AuthMethod = "dmarc" | "dkim" | "spf";

export interface HeaderLine {
  key: string;
  line: string;
}

interface ResInfo {
  method: string;
  result: string;
  props: Map<string, string>;
}

/** Removes RFC 5322 comments "(…)", nested ones too, but not parentheses inside quoted strings. */
function withoutComments(value: string): string {
  let out = "";
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === "\\" && (quoted || depth > 0)) {
      if (depth === 0) out += c + (value[i + 1] ?? "");
      i++;
    } else if (quoted) {
      out += c;
      if (c === '"') quoted = false;
    } else if (c === "(") depth++;
    else if (c === ")" && depth > 0) depth--;
    else if (depth === 0) {
      if (c === '"') quoted = true;
      out += c;
    }
  }
  return out;
}

/** Splits on `separator` outside quoted strings (comments are gone already). */
function splitOutsideQuotes(value: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (const c of value) {
    if (c === '"') quoted = !quoted;
    if (!quoted && separator.test(c)) {
      parts.push(current);
      current = "";
    } else current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

const unquote = (v: string) => (v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/\\(.)/g, "$1") : v);

/** One header's value → its authserv-id and results; undefined when it is not well formed. */
export function parseAuthenticationResults(value: string): { authservId: string; results: ResInfo[] } | undefined {
  const [head, ...rest] = splitOutsideQuotes(withoutComments(value.replace(/\r?\n[ \t]+/g, " ")), /;/);
  const authservId = head?.split(/\s+/)[0];
  if (!authservId) return undefined;
  const results: ResInfo[] = [];
  for (const resinfo of rest) {
    const [first, ...props] = splitOutsideQuotes(resinfo, /\s/);
    const m = /^([a-z0-9-]+)(?:\/\d+)?=([a-z]+)$/i.exec(first ?? "");
    if (!m) continue;
    const map = new Map<string, string>();
    for (const prop of props) {
      const eq = prop.indexOf("=");
      if (eq > 0) map.set(prop.slice(0, eq).toLowerCase(), unquote(prop.slice(eq + 1)));
    }
    results.push({ method: m[1]!.toLowerCase(), result: m[2]!.toLowerCase(), props: map });
  }
  return { authservId: unquote(authservId).toLowerCase(), results };
}

/**
 * Relaxed alignment (DMARC, RFC 7489 §3.1) without a public-suffix list: the same domain, or one a
 * subdomain of the other. A pass for a parent or a child domain is one its owner controls.
 */
function aligned(domain: string | undefined, fromDomain: string): boolean {
  if (!domain) return false;
  const d = domain.toLowerCase().replace(/\.$/, "");
  return d === fromDomain || fromDomain.endsWith(`.${d}`) || d.endsWith(`.${fromDomain}`);
}

/** A property that names a domain or an address (`header.i=@example.id`, `smtp.mailfrom=a@example.id`). */
function domainProp(props: Map<string, string>, ...names: string[]): string | undefined {
  for (const name of names) {
    const v = props.get(name);
    if (v) return v.includes("@") ? domainOf(v) : v;
  }
  return undefined;
}

/**
 * How the office's mail server proved the From address's domain, or undefined when it did not
 * (no trusted authserv-id configured, no verdict of that server, a fail, or a pass for another domain).
 */
export function authenticatedBy(
  headerLines: readonly HeaderLine[],
  fromAddress: string,
  trustedAuthservId: string | undefined,
): AuthMethod | undefined {
  if (!trustedAuthservId) return undefined;
  const trusted = trustedAuthservId.trim().toLowerCase();
  const fromDomain = domainOf(fromAddress).toLowerCase();
  // The topmost run: Authentication-Results headers with no other header between them.
  const start = headerLines.findIndex((h) => h.key.toLowerCase() === "authentication-results");
  if (start < 0) return undefined;
  const verdicts: ResInfo[] = [];
  for (let i = start; i < headerLines.length && headerLines[i]!.key.toLowerCase() === "authentication-results"; i++) {
    const line = headerLines[i]!.line;
    const parsed = parseAuthenticationResults(line.slice(line.indexOf(":") + 1));
    if (parsed?.authservId === trusted) verdicts.push(...parsed.results);
  }
  // The server's own DMARC verdict, when it gave one, outranks a DKIM or SPF pass (a strict policy may fail them).
  if (verdicts.some((r) => r.method === "dmarc" && r.result !== "pass")) return undefined;
  for (const r of verdicts) {
    if (r.result !== "pass") continue;
    if (r.method === "dmarc") {
      const headerFrom = domainProp(r.props, "header.from");
      if (headerFrom === undefined || headerFrom.toLowerCase() === fromDomain) return "dmarc";
    }
    if (r.method === "dkim" && aligned(domainProp(r.props, "header.d", "header.i"), fromDomain)) return "dkim";
    if (r.method === "spf" && aligned(domainProp(r.props, "smtp.mailfrom"), fromDomain)) return "spf";
  }
  return undefined;
}
