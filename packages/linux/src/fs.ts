import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

/** The file operations the backend performs (sysctls, resolv.conf, markers); unit tests inject a fake. */
export interface FileOps {
  /** Contents, or undefined when missing. */
  read(path: string): string | undefined;
  /** Writes (creating parent directories when `mkdir`). */
  write(path: string, data: string, options?: { mkdir?: boolean }): void;
  /** Whether the path exists. */
  exists(path: string): boolean;
  /** Removes a file or directory tree (missing is fine). */
  remove(path: string): void;
  /** Entries of a directory ([] when missing). */
  list(dir: string): string[];
}

/** The real file system. */
export function createNodeFileOps(): FileOps {
  return {
    read(path) {
      try {
        return readFileSync(path, "utf8");
      } catch {
        return undefined;
      }
    },
    write(path, data, options = {}) {
      if (options.mkdir) mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      // Other processes read markers while we write them: rename makes the new content appear whole. /proc and
      // /sys files (sysctls) cannot be renamed onto and are written in place.
      if (path.startsWith("/proc/") || path.startsWith("/sys/")) return writeFileSync(path, data);
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, data);
      renameSync(tmp, path);
    },
    exists: (path) => existsSync(path),
    remove: (path) => rmSync(path, { recursive: true, force: true }),
    list(dir) {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    },
  };
}

/** An in-memory FileOps for unit tests: a flat map of paths to contents. */
export function createMemoryFileOps(initial: Record<string, string> = {}): FileOps & {
  files: Map<string, string>;
} {
  const files = new Map(Object.entries(initial));
  const under = (dir: string) => [...files.keys()].filter((p) => p.startsWith(`${dir}/`));
  return {
    files,
    read: (p) => files.get(p),
    write: (p, d) => void files.set(p, d),
    exists: (p) => files.has(p) || under(p).length > 0,
    remove(p) {
      files.delete(p);
      for (const k of under(p)) files.delete(k);
    },
    list: (dir) => [...new Set(under(dir).map((p) => p.slice(dir.length + 1).split("/")[0]!))],
  };
}
