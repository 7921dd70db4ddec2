import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";

const noFile = join(tmpdir(), "does-not-exist.env");

describe("security settings", () => {
  it("default to limits on, no proxy trusted, 30 idle days, no framing", () => {
    expect(loadConfig({}, noFile)).toMatchObject({
      RATE_LIMIT: true,
      TRUST_PROXY: false,
      WEBCHAT_SESSION_IDLE_DAYS: 30,
      WEBCHAT_FRAME_ANCESTORS: [],
    });
  });

  it.each([
    ["off", false],
    ["0", false],
    ["1", 1],
    ["2", 2],
    ["127.0.0.1", ["127.0.0.1"]],
    ["10.0.0.0/8, 192.168.1.10", ["10.0.0.0/8", "192.168.1.10"]],
    ["loopback,::1,fd00::/8", ["loopback", "::1", "fd00::/8"]],
  ])("TRUST_PROXY=%s", (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }, noFile).TRUST_PROXY).toEqual(expected);
  });

  it.each(["true", "*", "10.0.0.0/33", "300.1.1.1", "example.com", "10.0.0.1/8/9", "1.2.3.4; rm -rf"])(
    "refuses TRUST_PROXY=%s",
    (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value }, noFile)).toThrow(/^TRUST_PROXY must be off, a number of proxies/);
    },
  );

  it("takes RATE_LIMIT=off and refuses anything but on/off", () => {
    expect(loadConfig({ RATE_LIMIT: "off" }, noFile).RATE_LIMIT).toBe(false);
    expect(() => loadConfig({ RATE_LIMIT: "sometimes" }, noFile)).toThrow(/^RATE_LIMIT must be on or off/);
  });

  it("takes WEBCHAT_FRAME_ANCESTORS origins and refuses a path, a script or a keyword", () => {
    expect(
      loadConfig({ WEBCHAT_FRAME_ANCESTORS: "https://kecamatan.example.go.id https://*.denpasarkota.go.id:8443" }, noFile),
    ).toMatchObject({
      WEBCHAT_FRAME_ANCESTORS: ["https://kecamatan.example.go.id", "https://*.denpasarkota.go.id:8443"],
    });
    for (const bad of ["https://x.go.id/path", "*", "'unsafe-inline'", "javascript:alert(1)", "https://x.go.id; script-src *"]) {
      expect(() => loadConfig({ WEBCHAT_FRAME_ANCESTORS: bad }, noFile)).toThrow(/^WEBCHAT_FRAME_ANCESTORS must be origins/);
    }
  });

  it("refuses WEBCHAT_SESSION_IDLE_DAYS that is not a whole number of days from 1", () => {
    expect(loadConfig({ WEBCHAT_SESSION_IDLE_DAYS: "7" }, noFile).WEBCHAT_SESSION_IDLE_DAYS).toBe(7);
    expect(() => loadConfig({ WEBCHAT_SESSION_IDLE_DAYS: "0" }, noFile)).toThrow(/^WEBCHAT_SESSION_IDLE_DAYS must be at least 1/);
    expect(() => loadConfig({ WEBCHAT_SESSION_IDLE_DAYS: "1.5" }, noFile)).toThrow(/^WEBCHAT_SESSION_IDLE_DAYS must be a whole number/);
  });
});
