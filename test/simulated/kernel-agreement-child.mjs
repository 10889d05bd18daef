// Child for test/simulated/kernel-agreement.test.ts, run unprivileged (no CAP_IPC_LOCK) with a
// small RLIMIT_MEMLOCK, so the kernel enforces the limit. It plays one script of raw host calls
// against the Linux host and against a simulated host with the same page size and limit, and
// prints both lists of answers as JSON: the test requires them to be equal.
// The script never reaches past a mapping's end: on Linux that address may belong to a neighbour.
import { existsSync, readFileSync } from 'node:fs';

const dist = new URL('../../dist/', import.meta.url);
const { createLinuxHost } = await import(new URL('host/linux.js', dist));
const { createSimulatedHost } = await import(new URL('src/testing.js', dist));

const limit = /^Max locked memory\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))[1];
const memlockLimit = limit === 'unlimited' ? Infinity : Number(limit);

const NoAccess = 0,
  ReadOnly = 1,
  ReadWrite = 2,
  Execute = 3;
const DontDump = 1,
  HugePage = 3;

/** Runs the script on a host; returns [step, answer] pairs. Locked bytes are the process's own, minus the start. */
function play(host) {
  const p = host.pageSize();
  const answers = [];
  const lockedAtStart = host.memlockStatus().lockedBytes;
  const say = (step, answer) =>
    answers.push([step, typeof answer === 'number' && answer > 0 ? host.errorName(answer) : answer]);
  const locked = (step) =>
    answers.push([step, `${(host.memlockStatus().lockedBytes - lockedAtStart) / p} pages locked`]);
  // Each page's permissions and VmFlags, from the host's kernel view (smaps on Linux).
  const pages = (step, id, count) => {
    const base = host.address(id);
    const view = host.kernelView(base, count * p);
    for (let page = 0; page < count; page++) {
      const at = base + BigInt(page * p);
      const entry = view.find((range) => range.start <= at && at < range.end);
      answers.push([`${step}: page ${page}`, entry ? `${entry.permissions} ${entry.flags.join(' ')}` : 'unmapped']);
    }
  };
  const map = (step, pages, protection, flags = 0) => {
    const id = host.map(pages * p, p, protection, flags);
    answers.push([step, id < 0 ? host.errorName(-id) : 'mapped']);
    return id;
  };

  const a = map('map a: 4 pages ReadWrite', 4, ReadWrite);
  say('lock a[0,2)', host.lock(a, 0, 2 * p));
  say('lock a[0,2) again: locked pages are not counted twice', host.lock(a, 0, 2 * p));
  say('lock a[0,4): exactly the limit', host.lock(a, 0, 4 * p));
  locked('after locking a');
  const b = map('map b: 2 pages ReadWrite', 2, ReadWrite);
  say('lock b[0,1): one page over the limit', host.lock(b, 0, p));
  locked('after the refused lock');
  say('unlock a[1,2)', host.unlock(a, p, p));
  say('lock b[0,1): fits again', host.lock(b, 0, p));
  say('unlock a[0,1)', host.unlock(a, 0, p));
  say('protect b[1,2) NoAccess', host.protect(b, p, p, NoAccess));
  say('lock b[1,2): NoAccess pages cannot be faulted in', host.lock(b, p, p));
  locked('after locking a NoAccess page');
  say('lock a[0,1): the failed lock still counts', host.lock(a, 0, p));
  say('lock a at an unaligned offset, within locked pages', host.lock(a, 2 * p + 5, 10));
  say('unlock b[0,2)', host.unlock(b, 0, 2 * p));
  locked('after unlocking b');
  say('unlock b again: unlocking unlocked pages is fine', host.unlock(b, 0, 2 * p));
  say('protect a at an unaligned offset', host.protect(a, 5, p, ReadOnly));
  say('protect a with length 0', host.protect(a, 0, 0, ReadOnly));
  say('protect a[3,4) ReadOnly, a partial length', host.protect(a, 3 * p, 100, ReadOnly));
  say('advise a at an unaligned offset', host.advise(a, 5, p, DontDump));
  say('advise a with length 0', host.advise(a, 0, 0, DontDump));
  say('advise a[0,4) DontDump', host.advise(a, 0, 4 * p, DontDump));
  say('advise a[0,4) HugePage', host.advise(a, 0, 4 * p, HugePage));
  pages('a after protect, lock and advice', a, 4);
  pages('b after protect and unlock', b, 2);
  const c = map('map c: 1 page Execute', 1, Execute);
  say('lock c: Execute-only pages can be faulted in', host.lock(c, 0, p));
  locked('after locking c');
  say('unmap a: its locks go with it', host.unmap(a));
  locked('after unmapping a');
  say('unmap b', host.unmap(b));
  say('unmap c', host.unmap(c));
  locked('at the end');
  map('map explicit huge pages', 512, ReadWrite, 1);
  return answers;
}

/** With a zero limit, an unprivileged mlock is refused outright. */
function playZeroLimit(host) {
  const p = host.pageSize();
  const a = host.map(p, p, ReadWrite, 0);
  const answers = [
    ['lock with a zero limit', host.errorName(host.lock(a, 0, p))],
    ['unlock with a zero limit', host.unlock(a, 0, p)],
  ];
  host.unmap(a);
  return answers;
}

// What varies between kernels and machines is read from this one, and the simulated host is given
// the same: whether MADV_HUGEPAGE is known (CONFIG_TRANSPARENT_HUGEPAGE; the THP mode does not
// matter, the advice is recorded either way) and whether huge pages are reserved.
const thpBuilt = existsSync('/sys/kernel/mm/transparent_hugepage');
const linux = createLinuxHost();
const { explicitHugePages, hugePageSize } = linux.capabilities();
const capabilities = { explicitHugePages, hugePageSize, transparentHugePages: thpBuilt };
const simulated = createSimulatedHost({ pageSize: linux.pageSize(), memlockLimit, capabilities });
const script = memlockLimit === 0 ? playZeroLimit : play;
console.log(
  JSON.stringify({
    uid: process.getuid(),
    memlockLimit,
    capabilities,
    linux: script(linux),
    simulated: script(simulated),
  }),
);
