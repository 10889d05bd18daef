// Errors never quote a secret: a canary secret handed to every entry point in every wrong way
// (as a string, a String object, a bigint, a symbol's description, an object key, an option value,
// bytes in a wrapper memshield does not take) comes back as a MemoryProtectionError whose message,
// cause and stack hold neither the canary nor its bytes in hex or decimal. Controls: the canary is
// really in each input, and the same search finds it in an error that does quote it.
import { afterAll, describe, expect, it } from 'vitest';
import {
  AllocationType,
  MemoryProtectionError,
  MemoryProtectionLevel,
  PlatformMemory,
  Region,
  SecureBuffer,
  SecureHeap,
  configureExitWipe,
  createPlatformMemory,
  hardenProcess,
} from '../../src/index.js';
import { createSimulatedHost } from '../../src/testing.js';

const CANARY = 'sk_live_51HcanaryQ7x9Zt3';
const BYTES = new TextEncoder().encode(CANARY);
const HEX = Buffer.from(BYTES).toString('hex');
const DECIMAL = Array.from(BYTES).join(',');
const BIGINT = BigInt(`0x${HEX}`);
const FORMS_OF_THE_SECRET = [
  CANARY,
  HEX,
  DECIMAL,
  Array.from(BYTES).join(', '),
  BIGINT.toString(),
  BIGINT.toString(16),
];

/** Where an error carries text: message, stack, and each cause down the chain. */
function textsOf(error: unknown): string[] {
  const texts: string[] = [];
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    const { message, stack, cause } = current as { message?: unknown; stack?: unknown; cause?: unknown };
    texts.push(String(message), String(stack), typeof cause === 'string' ? cause : '');
    current = cause;
  }
  return texts;
}

/** The forms of the secret found in an error's texts. */
const leaks = (error: unknown) =>
  FORMS_OF_THE_SECRET.filter((form) => textsOf(error).some((text) => text.includes(form)));

/** Text of bytes; an array-like (a Proxy too) is read element by element, through its traps. */
const decode = (bytes: ArrayBufferLike | ArrayLike<number>) =>
  new TextDecoder().decode(
    'length' in bytes ? Uint8Array.from({ length: bytes.length }, (_, i) => bytes[i]) : new Uint8Array(bytes),
  );

/** The canary in every shape a careless caller might hand it over, and how to see it is there. */
function wrongShapes(): [shape: string, value: unknown, reveal: () => string][] {
  // reads answer as the array would
  const forward = { get: (target: Uint8Array, key: PropertyKey) => Reflect.get(target, key) };
  const { proxy, revoke } = Proxy.revocable(BYTES.slice(), forward);
  const revealRevoked = decode(proxy as Uint8Array); // read before revoking: afterwards nothing can
  revoke();
  const object = { toString: () => CANARY, [Symbol.toPrimitive]: () => CANARY };
  const named = { [CANARY]: () => 0 }[CANARY];
  return [
    ['a string', CANARY, () => CANARY],
    ['a String object', new String(CANARY), () => `${new String(CANARY)}`],
    ['a bigint', BIGINT, () => decode(Buffer.from(BIGINT.toString(16), 'hex'))],
    ['a symbol', Symbol(CANARY), () => Symbol(CANARY).description!],
    ['an object with the canary as toString', object, () => `${object}`],
    ['an object with the canary as a key', { [CANARY]: 1 }, () => Object.keys({ [CANARY]: 1 })[0]],
    ['an object with the canary as a value', { secret: CANARY }, () => ({ secret: CANARY }).secret],
    ['an array of its bytes', Array.from(BYTES), () => decode(Array.from(BYTES))],
    ['an Int8Array of its bytes', new Int8Array(BYTES), () => decode(new Int8Array(BYTES).buffer)],
    [
      'a DataView of its bytes',
      new DataView(BYTES.slice().buffer),
      () => decode(new DataView(BYTES.slice().buffer).buffer),
    ],
    ['an ArrayBuffer of its bytes', BYTES.slice().buffer, () => decode(BYTES.slice().buffer)],
    ['a Proxy around its bytes', new Proxy(BYTES.slice(), forward), () => decode(new Proxy(BYTES.slice(), forward))],
    ['a revoked Proxy around its bytes', proxy, () => revealRevoked],
    ['a function named after it', named, () => named.name],
    ['an Error carrying it', new Error(CANARY), () => new Error(CANARY).message],
  ];
}

const region = PlatformMemory.allocate(64, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure);
const heap = new SecureHeap({ arenaSize: 16 * 1024 });
const buffer = SecureBuffer.alloc(16);
afterAll(() => {
  PlatformMemory.free(region);
  heap.destroy();
  buffer.dispose();
});

/** Every entry point, with `value` in each place a caller could put a secret. */
function entryPoints(value: unknown): [string, () => unknown][] {
  const v = value as never;
  return [
    ['SecureBuffer.from(value)', () => SecureBuffer.from(v)],
    ['SecureBuffer.from(bytes, value)', () => SecureBuffer.from(new Uint8Array(1), v)],
    ['SecureBuffer.from(bytes, { wipeSource: value })', () => SecureBuffer.from(new Uint8Array(1), { wipeSource: v })],
    ['SecureBuffer.from(bytes, { lock: value })', () => SecureBuffer.from(new Uint8Array(1), { lock: v })],
    [
      'SecureBuffer.from(bytes, { secretMemory: value })',
      () => SecureBuffer.from(new Uint8Array(1), { secretMemory: v }),
    ],
    ['SecureBuffer.from(bytes, { host: value })', () => SecureBuffer.from(new Uint8Array(1), { host: v })],
    ['SecureBuffer.alloc(value)', () => SecureBuffer.alloc(v)],
    ['SecureBuffer.alloc(1, value)', () => SecureBuffer.alloc(1, v)],
    ['buffer.equals(value)', () => buffer.equals(v)],
    ['buffer.use(value)', () => buffer.use(v)],
    ['buffer.update(value)', () => buffer.update(v)],
    ['new SecureHeap(value)', () => new SecureHeap(v)],
    ['new SecureHeap({ lock: value })', () => new SecureHeap({ lock: v })],
    ['new SecureHeap({ arenaSize: value })', () => new SecureHeap({ arenaSize: v })],
    ['heap.from(value)', () => heap.from(v)],
    ['heap.from(bytes, value)', () => heap.from(new Uint8Array(1), v)],
    ['heap.alloc(value)', () => heap.alloc(v)],
    ['PlatformMemory.write(region, value)', () => PlatformMemory.write(region, v)],
    ['PlatformMemory.write(region, bytes, value)', () => PlatformMemory.write(region, new Uint8Array(1), v)],
    ['PlatformMemory.write(value, bytes)', () => PlatformMemory.write(v, new Uint8Array(1))],
    ['PlatformMemory.readInto(region, value)', () => PlatformMemory.readInto(region, v)],
    ['PlatformMemory.read(region, value)', () => PlatformMemory.read(region, v)],
    [
      'PlatformMemory.allocate(value, …)',
      () => PlatformMemory.allocate(v, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure),
    ],
    ['PlatformMemory.allocate(…, value protection, …)', () => PlatformMemory.allocate(16, 8, v, AllocationType.Secure)],
    [
      'PlatformMemory.allocate(…, value type)',
      () => PlatformMemory.allocate(16, 8, MemoryProtectionLevel.ReadWrite, v),
    ],
    [
      'PlatformMemory.allocate(…, value options)',
      () => PlatformMemory.allocate(16, 8, MemoryProtectionLevel.ReadWrite, AllocationType.Secure, v),
    ],
    [
      'PlatformMemory.allocateWithGuardPages(…, { protection: value })',
      () => PlatformMemory.allocateWithGuardPages(16, 1, 1, 8, { protection: v }),
    ],
    ['PlatformMemory.protect(region, value)', () => PlatformMemory.protect(region, v)],
    ['PlatformMemory.free(value)', () => PlatformMemory.free(v)],
    ['new Region(value, …)', () => new (Region as unknown as new (...args: unknown[]) => Region)(v, v, v, v)],
    ['configureExitWipe({ exit: value })', () => configureExitWipe({ exit: v })],
    ['configureExitWipe(value)', () => configureExitWipe(v)],
    ['hardenProcess({ coreDumps: value })', () => hardenProcess({ coreDumps: v })],
    ['createPlatformMemory({ host: value })', () => createPlatformMemory({ host: v })],
    ['createSimulatedHost({ seed: value })', () => createSimulatedHost({ seed: v })],
    [
      'createSimulatedHost({ faults: [{ op: value }] })',
      () => createSimulatedHost({ faults: [{ op: v, errno: 'EPERM' }] }),
    ],
    [
      'createSimulatedHost({ faults: [{ op: lock, errno: value }] })',
      () => createSimulatedHost({ faults: [{ op: 'lock', errno: v }] }),
    ],
    [
      'createSimulatedHost({ capabilities: { lock: value } })',
      () => createSimulatedHost({ capabilities: { lock: v } }),
    ],
  ];
}

describe('no error message, cause or stack quotes a secret handed in the wrong way', () => {
  it('control: the canary is in each input, and the search finds it in an error that quotes it', () => {
    expect(leaks(new Error(`got "${CANARY}"`))).toEqual([CANARY]);
    expect(leaks(new Error('x', { cause: new Error(`bytes ${HEX}`) }))).toContain(HEX);
    expect(leaks(new Error(`got ${BIGINT}n`))).toEqual([BIGINT.toString()]);
    for (const [shape, , reveal] of wrongShapes()) expect(reveal(), shape).toContain(CANARY);
  });

  for (const [shape, value] of wrongShapes()) {
    it(`${shape}: every entry point refuses it with a MemoryProtectionError that does not quote it`, () => {
      const found: string[] = [];
      for (const [entry, call] of entryPoints(value)) {
        let thrown: unknown;
        try {
          const result = call();
          if (result instanceof SecureBuffer) result.dispose();
          else if (result instanceof SecureHeap) result.destroy();
          else if (result instanceof Region) PlatformMemory.free(result);
          continue; // some shapes are valid somewhere (a function as a use() callback)
        } catch (error) {
          thrown = error;
        }
        if (!(thrown instanceof MemoryProtectionError))
          found.push(`${entry}: threw ${String(thrown).slice(0, 40)}, not a MemoryProtectionError`);
        const forms = leaks(thrown);
        if (forms.length > 0) found.push(`${entry}: quotes ${forms.join(' and ')}`);
      }
      expect(found).toEqual([]);
    });
  }
});
