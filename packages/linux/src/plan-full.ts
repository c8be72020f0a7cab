import { netnsName } from "./names.ts";
import { emptyPlan, type KernelPlan } from "./plan-types.ts";

/** full: a named netns with loopback up, nothing else. */
export function planFullCreate(id: string): KernelPlan {
  return { ...emptyPlan(), hostBatch: [`netns add ${netnsName(id)}`], nsBatch: ["link set lo up"] };
}

/** Removing a full namespace is removing the netns. */
export function planFullDestroy(id: string): KernelPlan {
  return { ...emptyPlan(), hostBatch: [`netns del ${netnsName(id)}`] };
}
