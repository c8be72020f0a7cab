import { FORWARDED_SIGNALS } from "@ns/sandbox";

/** Terminal signals, remembered instead of killing us: work in progress (a create, a watch) ends cleanly. */
export function trapSignals(): { readonly received: NodeJS.Signals | undefined; release(): void } {
  let received: NodeJS.Signals | undefined;
  const handlers = FORWARDED_SIGNALS.map((sig) => {
    const h = () => {
      received ??= sig;
    };
    process.on(sig, h);
    return () => process.off(sig, h);
  });
  return {
    get received() {
      return received;
    },
    release: () => {
      for (const off of handlers) off();
    },
  };
}
