/**
 * A minimal, valid OLE compound file (MS-CFB version 3, 512-byte sectors) holding the named
 * streams at its root: what Word 97 (`WordDocument`), PowerPoint (`PowerPoint Document`) or an
 * installer (`.msi`) look like to a type sniffer. Sector 0 is the FAT, sector 1 the directory
 * (up to three streams), then each stream in 4096 bytes (the mini-stream cutoff, so regular sectors).
 * https://learn.microsoft.com/openspecs/windows_protocols/ms-cfb/
 */
export function compoundFile(streams: readonly string[]): Uint8Array {
  if (streams.length > 3) throw new Error("one directory sector holds the root and three streams");
  const SECTOR = 512;
  const STREAM_BYTES = 4096;
  const perStream = STREAM_BYTES / SECTOR;
  const sectors = 2 + streams.length * perStream;
  const out = Buffer.alloc(SECTOR * (1 + sectors));
  const END = 0xfffffffe;
  const FREE = 0xffffffff;

  // Header.
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(out, 0);
  out.writeUInt16LE(0x003e, 0x18);
  out.writeUInt16LE(3, 0x1a);
  out.writeUInt16LE(0xfffe, 0x1c);
  out.writeUInt16LE(9, 0x1e);
  out.writeUInt16LE(6, 0x20);
  out.writeUInt32LE(1, 0x2c); // one FAT sector
  out.writeUInt32LE(1, 0x30); // the directory starts at sector 1
  out.writeUInt32LE(STREAM_BYTES, 0x38);
  out.writeUInt32LE(END, 0x3c); // no mini FAT
  out.writeUInt32LE(END, 0x44); // no DIFAT sectors
  out.writeUInt32LE(0, 0x4c); // DIFAT[0]: the FAT is sector 0
  for (let i = 1; i < 109; i++) out.writeUInt32LE(FREE, 0x4c + i * 4);

  const sectorAt = (n: number) => SECTOR * (1 + n);
  // FAT.
  const fat = sectorAt(0);
  for (let i = 0; i < SECTOR / 4; i++) out.writeUInt32LE(FREE, fat + i * 4);
  out.writeUInt32LE(0xfffffffd, fat); // sector 0 is a FAT sector
  out.writeUInt32LE(END, fat + 4); // the directory: one sector
  streams.forEach((_, s) => {
    const first = 2 + s * perStream;
    for (let k = 0; k < perStream; k++) out.writeUInt32LE(k === perStream - 1 ? END : first + k + 1, fat + (first + k) * 4);
  });

  // Directory: the root entry, then one entry per stream, chained through their right siblings.
  const dir = sectorAt(1);
  const entry = (index: number, name: string, type: number, child: number, right: number, start: number, size: number) => {
    const at = dir + index * 128;
    out.write(name, at, "utf16le");
    out.writeUInt16LE((name.length + 1) * 2, at + 64);
    out.writeUInt8(type, at + 66);
    out.writeUInt8(1, at + 67); // black
    out.writeUInt32LE(FREE, at + 68); // left sibling
    out.writeUInt32LE(right, at + 72);
    out.writeUInt32LE(child, at + 76);
    out.writeUInt32LE(start, at + 116);
    out.writeUInt32LE(size, at + 120);
  };
  entry(0, "Root Entry", 5, streams.length > 0 ? 1 : FREE, FREE, END, 0);
  streams.forEach((name, s) => {
    entry(s + 1, name, 2, FREE, s + 1 < streams.length ? s + 2 : FREE, 2 + s * perStream, STREAM_BYTES);
    out.fill(0x41 + s, sectorAt(2 + s * perStream), sectorAt(2 + (s + 1) * perStream));
  });
  for (let i = streams.length + 1; i < 4; i++) {
    const at = dir + i * 128;
    out.writeUInt32LE(FREE, at + 68);
    out.writeUInt32LE(FREE, at + 72);
    out.writeUInt32LE(FREE, at + 76);
  }
  return new Uint8Array(out);
}
