import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/** File name of the SQLite state database inside the state directory. */
export const STATE_DB_FILE = "state.db";

/** Where ns keeps its state: `$NS_STATE_DIR`, else `/var/lib/ns` for root, else `$XDG_STATE_HOME/ns`, else `~/.local/state/ns`. */
export function defaultStateDir(
  env: Record<string, string | undefined> = process.env,
  uid: number | undefined = process.getuid?.(),
): string {
  // One place for the variable: the CLI and the daemon must open the same database.
  if (env.NS_STATE_DIR) return env.NS_STATE_DIR;
  if (uid === 0) return "/var/lib/ns";
  // The XDG spec says relative values are invalid and must be ignored.
  const xdg = env.XDG_STATE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "ns");
  return join(env.HOME || homedir(), ".local", "state", "ns");
}

/** Default path of the SQLite state database: `defaultStateDir()/state.db`. */
export function defaultStatePath(
  env: Record<string, string | undefined> = process.env,
  uid: number | undefined = process.getuid?.(),
): string {
  return join(defaultStateDir(env, uid), STATE_DB_FILE);
}
