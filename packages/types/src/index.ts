export type { NamespaceConfigOverrides } from "./config.ts";
export {
  forwardKey,
  forwardsConflict,
  interfaceConfig,
  NamespaceConfig,
  newNamespaceId,
  parseForwardKey,
} from "./config.ts";
export type { ConfigIssue, NsErrorCode, NsErrorOptions } from "./errors.ts";
export {
  InvalidConfigError,
  isNsError,
  NS_ERROR_CODES,
  NsError,
  TeardownError,
  teardownFailures,
  toNsError,
} from "./errors.ts";
export type { IpFamily, Subnet } from "./ip.ts";
export {
  bigIntToIp,
  canonicalIp,
  formatSubnet,
  ipFamily,
  ipRange,
  ipToBigInt,
  isIp,
  isUnspecifiedIp,
  maxPrefix,
  parseCidr,
  prefixMask,
  subnetContains,
  subnetOf,
  subnetSize,
  subnetsOverlap,
} from "./ip.ts";
export type {
  BackendName,
  InterfaceConfig,
  InterfaceStats,
  IsolationMode,
  NamespaceId,
  NamespaceInfo,
  NamespaceStats,
  PortForward,
  Protocol,
} from "./model.ts";
export { ISOLATION_MODES } from "./model.ts";
export { sumInterfaceStats, zeroInterfaceStats } from "./stats.ts";
export type { ValidationResult } from "./validate.ts";
export {
  interfaceNameProblem,
  MAX_BRIDGE_LENGTH,
  MAX_DNS_SERVERS,
  MAX_ID_LENGTH,
  MAX_PID,
  MAX_PORT_FORWARDS,
  parseConfig,
  validateConfig,
} from "./validate.ts";
