import { describe, expect, it } from "vitest";
import { extensionOf, madeUpNameExtension, typeOfExtension } from "../../src/core/index.js";

describe("file extensions from types and back (one table for the channels and the evidence ZIP)", () => {
  it.each([
    ["image/jpeg", "jpg"],
    ["audio/ogg; codecs=opus", "ogg"],
    [" AUDIO/MP4 ", "m4a"],
    ["audio/x-m4a", "m4a"],
    ["video/3gpp", "3gp"],
    ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"],
  ])("%s → %s", (mime, ext) => {
    expect(extensionOf(mime)).toBe(ext);
  });

  it("knows no extension for a type it has no usual one for", () => {
    expect(extensionOf("application/x-msdownload")).toBeUndefined();
    expect(extensionOf("")).toBeUndefined();
    // A name made up for such a file still gets one.
    expect(madeUpNameExtension("application/x-msdownload")).toBe("bin");
    expect(madeUpNameExtension("audio/ogg; codecs=opus")).toBe("ogg");
  });

  it("reads an extension back as the first type listed with it, in any case and its other spellings", () => {
    expect(typeOfExtension("JPG")).toBe("image/jpeg");
    expect(typeOfExtension("jpeg")).toBe("image/jpeg");
    expect(typeOfExtension("m4a")).toBe("audio/mp4");
    expect(typeOfExtension("exe")).toBeUndefined();
  });
});
