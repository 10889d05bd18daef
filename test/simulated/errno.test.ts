// The simulated host's errno table is fixed (results must not depend on the runtime), and on
// Linux it must say what the OS says: each number has the name Node's own table gives it.
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { errnoName, errnoNumber, knownErrnoNames } from '../../host/simulated/errno.js';
import { createLinuxHost } from '../../host/linux.js';

describe.runIf(process.platform === 'linux')('the fixed errno table', () => {
  it('names every number as Node names it on Linux, and knows every name Node knows', () => {
    const node = constants.errno as Record<string, number>;
    for (const [name, number] of Object.entries(node)) expect(errnoNumber(name), name).toBe(number);
    const linux = createLinuxHost();
    for (const name of knownErrnoNames()) expect(errnoName(errnoNumber(name)!)).toBe(linux.errorName(node[name]));
  });

  it('names an unknown number as such instead of guessing', () => {
    expect(errnoName(4000)).toBe('errno 4000');
    expect(errnoNumber('EWOULDBLOCK')).toBe(11); // an alias is accepted…
    expect(errnoName(11)).toBe('EAGAIN'); // …and the canonical name reported
  });
});
