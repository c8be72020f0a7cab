import type { KernelDriver } from "./driver.ts";
import { addElementsScript, deleteElementsScript, deleteTableScript, type NftElement } from "./nft-table.ts";

/** Applies element changes, declaring the table (chains, rules, sets) only when this process has not yet. */
export interface NftApplier {
  /** Adds elements (one transaction). */
  add(elements: readonly NftElement[]): Promise<void>;
  /** Removes elements, present or not (one transaction). */
  remove(elements: readonly NftElement[]): Promise<void>;
  /** Removes the whole table (present or not). */
  dropTable(): Promise<void>;
}

/**
 * Re-declaring the table costs more than the element change itself (about 25 ms against 11 ms here), so it
 * is done once per backend instance; when the table vanished meanwhile (another tool flushed the ruleset,
 * another process removed it with its last namespace) the element-only transaction fails and is retried
 * with the declaration.
 */
export function createNftApplier(driver: KernelDriver): NftApplier {
  let declared = false;
  const run = async (script: (base: boolean) => string) => {
    if (!declared) {
      await driver.nft(script(true));
      declared = true;
      return;
    }
    try {
      await driver.nft(script(false));
    } catch {
      declared = false;
      await driver.nft(script(true));
      declared = true;
    }
  };
  return {
    add: (elements) => run((base) => addElementsScript(elements, base)),
    remove: (elements) => run((base) => deleteElementsScript(elements, base)),
    async dropTable() {
      declared = false;
      await driver.nft(deleteTableScript());
    },
  };
}
