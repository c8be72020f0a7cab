import { homedir } from "node:os";
import { describe, expect, it } from "vitest";
import { defaultStateDir, defaultStatePath } from "./state-dir.ts";

describe("defaultStateDir", () => {
  it("takes NS_STATE_DIR first, for every process (CLI and daemon alike)", () => {
    expect(defaultStateDir({ NS_STATE_DIR: "/srv/ns", XDG_STATE_HOME: "/x" }, 0)).toBe("/srv/ns");
    expect(defaultStateDir({ NS_STATE_DIR: "", HOME: "/h" }, 1000)).toBe("/h/.local/state/ns");
  });

  it("is /var/lib/ns for root whatever the environment says", () => {
    expect(defaultStateDir({ XDG_STATE_HOME: "/x", HOME: "/h" }, 0)).toBe("/var/lib/ns");
  });

  it("follows XDG_STATE_HOME for other users", () => {
    expect(defaultStateDir({ XDG_STATE_HOME: "/x/state", HOME: "/h" }, 1000)).toBe("/x/state/ns");
  });

  it("ignores a relative XDG_STATE_HOME, as the XDG spec requires", () => {
    expect(defaultStateDir({ XDG_STATE_HOME: "rel", HOME: "/h" }, 1000)).toBe("/h/.local/state/ns");
  });

  it("falls back to ~/.local/state/ns, also without HOME", () => {
    expect(defaultStateDir({ HOME: "/home/u" }, 1000)).toBe("/home/u/.local/state/ns");
    expect(defaultStateDir({}, 1000)).toBe(`${homedir()}/.local/state/ns`);
  });

  it("puts the database file inside it", () => {
    expect(defaultStatePath({ HOME: "/h" }, 1000)).toBe("/h/.local/state/ns/state.db");
    expect(defaultStatePath({}, 0)).toBe("/var/lib/ns/state.db");
  });
});
