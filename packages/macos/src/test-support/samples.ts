// Output samples written from the documented formats of macOS's pfctl(8), route(8) and netstat(1).
// pfctl prints its messages (ALTQ notice, "pf enabled", "Token : N") on stderr.

/** `pfctl -s nat` of a stock macOS pf.conf (com.apple hooks only). */
export const STOCK_NAT = 'nat-anchor "com.apple/*" all\nrdr-anchor "com.apple/*" all\n';
/** `pfctl -s nat` after adding our hooks to /etc/pf.conf. */
export const HOOKED_NAT = `${STOCK_NAT}nat-anchor "ns/*" all\nrdr-anchor "ns/*" all\n`;
/** `pfctl -s rules` of a stock macOS pf.conf. */
export const STOCK_RULES = 'scrub-anchor "com.apple/*" all fragment reassemble\nanchor "com.apple/*" all\n';
/** `pfctl -s rules` with our filter hook. */
export const HOOKED_RULES = `${STOCK_RULES}anchor "ns/*" all\n`;

/** The notice pfctl prints on every ruleset operation on macOS (the kernel has no ALTQ). */
export const ALTQ = "No ALTQ support in kernel\nALTQ related functions disabled\n";

/** `pfctl -E` when pf was off. */
export const enableOutput = (token: string) => `${ALTQ}pf enabled\nToken : ${token}\n`;
/** `pfctl -E` when pf was already on (e.g. enabled by another tool): a reference is still taken. */
export const enableAlreadyOutput = (token: string) => `${ALTQ}pf already enabled\nToken : ${token}\n`;

/** `route -n get default`. */
export const ROUTE_DEFAULT = `   route to: default
destination: default
       mask: default
    gateway: 192.168.1.1
  interface: en0
      flags: <UP,GATEWAY,DONE,STATIC,PRCLONING,GLOBAL>
 recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire
       0         0         0         0         0         0      1500         0
`;

/** `netstat -I en0 -b -d -n`. */
export const NETSTAT_EN0 = `Name       Mtu   Network       Address            Ipkts Ierrs     Ibytes    Opkts Oerrs     Obytes  Coll Drop
en0        1500  <Link#6>    3c:22:fb:12:34:56  4830123     2 5421390112  2510021     1  480123456     0    3
en0        1500  fe80::3e22: fe80:6::3e22:fbff:  4830123     - 5421390112  2510021     - 480123456     -    -
en0        1500  192.168.1     192.168.1.23      4830123     - 5421390112  2510021     - 480123456     -    -
`;

/** `netstat -I lo0 -b -d -n`: the link row has no address. */
export const NETSTAT_LO0 = `Name       Mtu   Network       Address            Ipkts Ierrs     Ibytes    Opkts Oerrs     Obytes  Coll Drop
lo0        16384 <Link#1>                         123456     0   34567890   123456     0   34567890     0    0
lo0        16384 127           127.0.0.1          123456     -   34567890   123456     -   34567890     -    -
lo0        16384 ::1/128     ::1                  123456     -   34567890   123456     -   34567890     -    -
lo0        16384 fe80::1%lo0 fe80:1::1            123456     -   34567890   123456     -   34567890     -    -
`;

/** `pfctl -s info` with `set loginterface en0`. */
export const PF_INFO_EN0 = `Status: Enabled for 0 days 02:11:34           Debug: Urgent

Interface Stats for en0               IPv4             IPv6
  Bytes In                          123456             1000
  Bytes Out                          65432              500
  Packets In
    Passed                             100               10
    Blocked                              2                1
  Packets Out
    Passed                              90                5
    Blocked                              3                0

State Table                          Total             Rate
  current entries                        3
  searches                          123456           12.3/s
  inserts                              456            0.0/s
  removals                             453            0.0/s
Counters
  match                              12345            1.2/s
`;

/** `pfctl -s info` with pf off and no log interface. */
export const PF_INFO_DISABLED = `Status: Disabled for 0 days 00:00:00           Debug: Urgent

State Table                          Total             Rate
  current entries                        0
`;
