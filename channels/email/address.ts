/** E-mail addresses as this channel compares them: the bare address, lower case. */

/** `"Kantor" <Aduan@Kantor.go.id>` or `aduan@kantor.go.id` → `aduan@kantor.go.id`; undefined when there is none. */
export function addressOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const angled = /<\s*([^<>\s]+@[^<>\s]+)\s*>/.exec(value);
  const bare = angled?.[1] ?? /[^\s<>"',;]+@[^\s<>"',;]+/.exec(value)?.[0];
  return bare ? bare.toLowerCase() : undefined;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1) || "localhost";
}

export function localPartOf(address: string): string {
  const at = address.lastIndexOf("@");
  return at < 0 ? address : address.slice(0, at);
}
