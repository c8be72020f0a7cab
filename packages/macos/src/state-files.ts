import { randomBytes } from "node:crypto";
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { NsError } from "@ns/types";
import { safePath } from "./safe.ts";

/** The files the backend keeps in its state dir: Seatbelt profiles and pf token notes. */
export interface StateFiles {
  /** Absolute path of the directory. */
  readonly dir: string;
  /** Writes a file atomically (mode 0600) and returns its path. */
  write(name: string, content: string): Promise<string>;
  /** A file's content, or undefined when absent. */
  read(name: string): Promise<string | undefined>;
  /** Removes a file; absent is fine. */
  remove(name: string): Promise<void>;
  /** Whether a file exists. */
  exists(name: string): Promise<boolean>;
  /** File names in the directory ([] when it does not exist). */
  list(): Promise<string[]>;
}

const isMissing = (e: unknown) => (e as { code?: string }).code === "ENOENT";

// sandbox-exec runs as root and reads the profile by path: a directory others can write to (or a symlink
// planted in /tmp) would let them swap the profile, so the directory must be ours, 0700, and not a link.
async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  const uid = process.getuid?.();
  const problem = !st.isDirectory()
    ? "is not a directory (or is a symlink)"
    : uid !== undefined && st.uid !== uid
      ? `is owned by uid ${st.uid}, not ${uid}`
      : (st.mode & 0o022) !== 0
        ? `is writable by group or others (mode ${(st.mode & 0o777).toString(8)})`
        : undefined;
  if (problem)
    throw new NsError("ERR_NS_STATE", `state dir ${dir} ${problem}`, {
      hint: "use a directory you own with mode 0700 (option stateDir), or remove this one",
      details: { dir },
    });
}

/** State files in `dir` (created 0700 on first write, checked for ownership and mode). */
export function createStateFiles(dir: string): StateFiles {
  const root = safePath(dir);
  let ready: Promise<void> | undefined;
  const prepare = () => {
    ready ??= ensureDir(root);
    ready.catch(() => {
      ready = undefined;
    });
    return ready;
  };
  const at = (name: string) => {
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(name) || name.includes(".."))
      throw new NsError("ERR_NS_INTERNAL", `refusing state file name ${JSON.stringify(name)}`);
    return join(root, name);
  };
  return {
    dir: root,
    async write(name, content) {
      await prepare();
      const path = at(name);
      const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
      await writeFile(tmp, content, { mode: 0o600, flag: "wx" });
      await rename(tmp, path);
      return path;
    },
    async read(name) {
      try {
        return await readFile(at(name), "utf8");
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
    },
    async remove(name) {
      await rm(at(name), { force: true });
    },
    async exists(name) {
      try {
        await lstat(at(name));
        return true;
      } catch (e) {
        if (isMissing(e)) return false;
        throw e;
      }
    },
    async list() {
      try {
        return (await readdir(root)).sort();
      } catch (e) {
        if (isMissing(e)) return [];
        throw e;
      }
    },
  };
}
