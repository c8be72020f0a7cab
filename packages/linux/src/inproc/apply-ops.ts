import { closeSync, constants, openSync } from "node:fs";
import { netnsPath } from "../names.ts";
import type { IpOp } from "./ip-lines.ts";
import {
  addrAddMsg,
  blackholeRouteMsg,
  bridgeAddMsg,
  defaultRouteMsg,
  ipv4Bytes,
  linkDelMsg,
  linkGetMsg,
  linkSetMsg,
  macBytes,
  neighReplaceMsg,
  vethAddMsg,
} from "./netlink-encode.ts";
import { type NetnsSwitcher, SysError } from "./netns-ops.ts";
import type { RtnlSocket } from "./rtnl-socket.ts";

const ENODEV = 19;

/** What applying one op needs: the socket of the netns the batch runs in (opened on demand), the switcher. */
export interface OpContext {
  socket(): RtnlSocket;
  /** A new socket in the batch's netns, for a request whose send goes to the threadpool (the caller closes it). */
  freshSocket(): RtnlSocket;
  switcher: NetnsSwitcher;
  netnsDir: string;
  /** ifindex by device name within this batch: `addr add` and `neigh replace` name the same veth. */
  indexes: Map<string, number>;
}

/** Names a missing device the way `ip` does. */
function deviceCall<T>(dev: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SysError && e.errno === ENODEV)
      throw new SysError(ENODEV, `Cannot find device "${dev}"`);
    throw e;
  }
}

/** ifindex of a link of the socket's netns. */
export function linkIndex(sock: RtnlSocket, dev: string): number {
  return deviceCall(dev, () => {
    const index = sock.request(linkGetMsg(sock.seq(), dev)).find((r) => r.index !== undefined)?.index;
    if (index === undefined) throw new SysError(ENODEV, `Cannot find device "${dev}"`);
    return index;
  });
}

/** ifindex of `dev`, asked of the kernel once per batch (forgotten when a link of that name is added or deleted). */
function indexOf(ctx: OpContext, dev: string): number {
  let index = ctx.indexes.get(dev);
  if (index === undefined) {
    index = linkIndex(ctx.socket(), dev);
    ctx.indexes.set(dev, index);
  }
  return index;
}

/**
 * Applies one op; throws SysError (errno + ip-like text) on failure. Synchronous except `link del`, whose send
 * runs on the threadpool (on a socket of its own) so the event loop is not held while the kernel waits for RCU.
 */
export function applyOp(ctx: OpContext, op: IpOp): void | Promise<void> {
  switch (op.kind) {
    case "netns-add":
      ctx.switcher.add(netnsPath(ctx.netnsDir, op.name));
      return;
    case "netns-del":
      ctx.switcher.remove(netnsPath(ctx.netnsDir, op.name));
      return;
    case "veth-add": {
      ctx.indexes.delete(op.name);
      const sock = ctx.socket();
      let fd: number | undefined;
      if (op.peer.netns !== undefined) {
        const path = netnsPath(ctx.netnsDir, op.peer.netns);
        try {
          fd = openSync(path, constants.O_RDONLY);
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          throw new SysError(
            -(err.errno ?? -2),
            `Cannot open network namespace "${op.peer.netns}": ${err.code ?? err.message}`,
          );
        }
      }
      try {
        const peer = op.peer;
        sock.request(
          vethAddMsg(
            sock.seq(),
            {
              name: op.name,
              ...(op.mtu !== undefined ? { mtu: op.mtu } : {}),
              ...(op.address !== undefined ? { address: macBytes(op.address)! } : {}),
            },
            {
              name: peer.name,
              ...(peer.mtu !== undefined ? { mtu: peer.mtu } : {}),
              ...(peer.address !== undefined ? { address: macBytes(peer.address)! } : {}),
              ...(fd !== undefined ? { netnsFd: fd } : {}),
            },
          ),
        );
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
      return;
    }
    case "bridge-add": {
      ctx.indexes.delete(op.name);
      const sock = ctx.socket();
      sock.request(bridgeAddMsg(sock.seq(), op.name, op.mtu));
      return;
    }
    case "link-set": {
      const sock = ctx.socket();
      const masterIndex = op.master === undefined ? undefined : indexOf(ctx, op.master);
      deviceCall(op.dev, () =>
        sock.request(
          linkSetMsg(sock.seq(), op.dev, {
            ...(op.up !== undefined ? { up: op.up } : {}),
            ...(op.mtu !== undefined ? { mtu: op.mtu } : {}),
            ...(masterIndex !== undefined ? { masterIndex } : {}),
            ...(op.addrgenNone ? { addrgenNone: true } : {}),
          }),
        ),
      );
      return;
    }
    case "link-del":
      ctx.indexes.delete(op.dev);
      return linkDel(ctx, op.dev);
    case "addr-add": {
      const index = indexOf(ctx, op.dev);
      const sock = ctx.socket();
      sock.request(addrAddMsg(sock.seq(), index, ipv4Bytes(op.addr)!, op.prefixLen));
      return;
    }
    case "neigh-replace": {
      const index = indexOf(ctx, op.dev);
      const sock = ctx.socket();
      sock.request(neighReplaceMsg(sock.seq(), index, ipv4Bytes(op.dst)!, macBytes(op.lladdr)!));
      return;
    }
    case "route-blackhole": {
      const sock = ctx.socket();
      sock.request(blackholeRouteMsg(sock.seq(), ipv4Bytes(op.dst)!, op.del));
      return;
    }
    case "route-default": {
      const sock = ctx.socket();
      sock.request(defaultRouteMsg(sock.seq(), ipv4Bytes(op.via)!));
      return;
    }
  }
}

async function linkDel(ctx: OpContext, dev: string): Promise<void> {
  const sock = ctx.freshSocket();
  try {
    await sock.requestAsync(linkDelMsg(sock.seq(), dev));
  } catch (e) {
    deviceCall(dev, () => {
      throw e;
    });
  } finally {
    sock.close();
  }
}
