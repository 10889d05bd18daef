// Linux errno numbers (x86-64 and arm64 share them), fixed here so that the simulated host gives
// the same names and numbers on every runtime and OS, without asking the runtime for its table.
// The set is the one Node reports on Linux (os.constants.errno), so names agree with the Linux host.

/** Canonical name for each number, in numeric order. */
const NAMES: ReadonlyArray<readonly [number, string]> = [
  [1, 'EPERM'],
  [2, 'ENOENT'],
  [3, 'ESRCH'],
  [4, 'EINTR'],
  [5, 'EIO'],
  [6, 'ENXIO'],
  [7, 'E2BIG'],
  [8, 'ENOEXEC'],
  [9, 'EBADF'],
  [10, 'ECHILD'],
  [11, 'EAGAIN'],
  [12, 'ENOMEM'],
  [13, 'EACCES'],
  [14, 'EFAULT'],
  [16, 'EBUSY'],
  [17, 'EEXIST'],
  [18, 'EXDEV'],
  [19, 'ENODEV'],
  [20, 'ENOTDIR'],
  [21, 'EISDIR'],
  [22, 'EINVAL'],
  [23, 'ENFILE'],
  [24, 'EMFILE'],
  [25, 'ENOTTY'],
  [26, 'ETXTBSY'],
  [27, 'EFBIG'],
  [28, 'ENOSPC'],
  [29, 'ESPIPE'],
  [30, 'EROFS'],
  [31, 'EMLINK'],
  [32, 'EPIPE'],
  [33, 'EDOM'],
  [34, 'ERANGE'],
  [35, 'EDEADLK'],
  [36, 'ENAMETOOLONG'],
  [37, 'ENOLCK'],
  [38, 'ENOSYS'],
  [39, 'ENOTEMPTY'],
  [40, 'ELOOP'],
  [42, 'ENOMSG'],
  [43, 'EIDRM'],
  [60, 'ENOSTR'],
  [61, 'ENODATA'],
  [62, 'ETIME'],
  [63, 'ENOSR'],
  [67, 'ENOLINK'],
  [71, 'EPROTO'],
  [72, 'EMULTIHOP'],
  [74, 'EBADMSG'],
  [75, 'EOVERFLOW'],
  [84, 'EILSEQ'],
  [88, 'ENOTSOCK'],
  [89, 'EDESTADDRREQ'],
  [90, 'EMSGSIZE'],
  [91, 'EPROTOTYPE'],
  [92, 'ENOPROTOOPT'],
  [93, 'EPROTONOSUPPORT'],
  [95, 'ENOTSUP'],
  [97, 'EAFNOSUPPORT'],
  [98, 'EADDRINUSE'],
  [99, 'EADDRNOTAVAIL'],
  [100, 'ENETDOWN'],
  [101, 'ENETUNREACH'],
  [102, 'ENETRESET'],
  [103, 'ECONNABORTED'],
  [104, 'ECONNRESET'],
  [105, 'ENOBUFS'],
  [106, 'EISCONN'],
  [107, 'ENOTCONN'],
  [110, 'ETIMEDOUT'],
  [111, 'ECONNREFUSED'],
  [113, 'EHOSTUNREACH'],
  [114, 'EALREADY'],
  [115, 'EINPROGRESS'],
  [116, 'ESTALE'],
  [122, 'EDQUOT'],
  [125, 'ECANCELED'],
];

/** Other names for the same numbers, accepted when given but never reported. */
const ALIASES: ReadonlyArray<readonly [string, number]> = [
  ['EWOULDBLOCK', 11],
  ['EOPNOTSUPP', 95],
];

const NAME_OF = new Map<number, string>(NAMES);
const NUMBER_OF = new Map<string, number>([...NAMES.map(([number, name]) => [name, number] as const), ...ALIASES]);

/** The errno numbers the simulated host itself returns. */
export const EPERM = 1;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EINVAL = 22;
export const ENOSYS = 38;

/** The name of an errno number (`ENOMEM`), or `errno N` for one outside the table. */
export function errnoName(number: number): string {
  return NAME_OF.get(number) ?? `errno ${number}`;
}

/** The number of an errno name, or undefined if the table does not know it. */
export function errnoNumber(name: string): number | undefined {
  return NUMBER_OF.get(name);
}

/** Every canonical name, for messages that list what is accepted. */
export function knownErrnoNames(): string[] {
  return NAMES.map(([, name]) => name);
}
