// Out to node:crypto and WebCrypto, as docs/secrets-in-apps.md shows it: a KeyObject made once
// inside use() (secret, and private from DER, PEM and JWK), a WebCrypto importKey started inside
// use() (it copies the bytes before it returns), and what `node --secure-heap` changes, measured
// in children with crypto.secureHeapUsed().
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  sign,
  subtle,
  verify,
  type KeyObject,
} from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SecureBuffer, secretFromString } from '../../src/index.js';

/** memshield's built entry, as a module specifier for the children's scripts. */
const DIST_INDEX = JSON.stringify(new URL('../../dist/src/index.js', import.meta.url).href);

const message = Buffer.from('the message to authenticate');
const hmacKeyBytes = () => Buffer.from('7f'.repeat(32), 'hex');

describe('a KeyObject made inside use()', () => {
  it(
    'HMAC-SHA256 through createSecretKey(view) equals HMAC ' +
      'with the plain key, and keeps working after use() closed',
    () => {
      const key = SecureBuffer.from(hmacKeyBytes());
      const keyObject = key.use((view) => createSecretKey(view));
      expect(key.inspect().protection).toBe('NoAccess'); // the pages are closed again
      const tag = createHmac('sha256', keyObject).update(message).digest();
      expect(tag.equals(createHmac('sha256', hmacKeyBytes()).update(message).digest())).toBe(true);
      // The KeyObject works with the secret's pages closed: Node copied the bytes (docs list that copy).
      expect(keyObject.symmetricKeySize).toBe(32);
      key.dispose();
      expect(createHmac('sha256', keyObject).update(message).digest().equals(tag)).toBe(true);
    },
  );

  const ed25519 = generateKeyPairSync('ed25519');
  const forms: Array<[string, (secret: SecureBuffer) => KeyObject, Buffer]> = [
    [
      'DER (pkcs8)',
      (s) =>
        s.use((view) =>
          createPrivateKey({
            key: Buffer.from(view.buffer, view.byteOffset, view.byteLength),
            format: 'der',
            type: 'pkcs8',
          }),
        ),
      ed25519.privateKey.export({ format: 'der', type: 'pkcs8' }),
    ],
    [
      'PEM',
      (s) =>
        s.use((view) =>
          createPrivateKey({ key: Buffer.from(view.buffer, view.byteOffset, view.byteLength), format: 'pem' }),
        ),
      Buffer.from(ed25519.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string),
    ],
    // JWK is an object of strings: JSON.parse makes them (copies the docs name).
    [
      'JWK',
      (s) => s.use((view) => createPrivateKey({ key: JSON.parse(new TextDecoder().decode(view)), format: 'jwk' })),
      Buffer.from(JSON.stringify(ed25519.privateKey.export({ format: 'jwk' }))),
    ],
  ];
  it.each(forms)('an Ed25519 private key from %s signs, and the public key verifies', (_, make, encoded) => {
    const secret = SecureBuffer.from(encoded);
    const privateKey = make(secret);
    secret.dispose();
    const signature = sign(null, message, privateKey);
    expect(verify(null, message, ed25519.publicKey, signature)).toBe(true);
    // the control
    expect(verify(null, Buffer.from('another message'), createPublicKey(privateKey), signature)).toBe(false);
  });
});

describe('WebCrypto importKey inside use()', () => {
  it('copies the bytes before it returns, so the promise is awaited after use() closes the pages', async () => {
    const key = secretFromString('7f'.repeat(32), 'hex');
    let pending: Promise<CryptoKey> | undefined;
    key.use((view) => {
      pending = subtle.importKey('raw', view, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    });
    key.dispose(); // wiped and unmapped before the import finishes
    const cryptoKey = await pending!;
    const tag = Buffer.from(await subtle.sign('HMAC', cryptoKey, message));
    expect(tag.equals(createHmac('sha256', hmacKeyBytes()).update(message).digest())).toBe(true);
  });
});

describe('node --secure-heap and private keys (crypto.secureHeapUsed, in children)', () => {
  const measure = (flags: string[]) => {
    const script = `
      const crypto = await import('node:crypto');
      const { SecureBuffer } = await import(${DIST_INDEX});
      const out = {};
      for (const [name, options] of [['ed25519', {}], ['rsa', { modulusLength: 2048 }], ['secret', null]]) {
        const der = options
          ? crypto.generateKeyPairSync(name, options).privateKey.export({ format: 'der', type: 'pkcs8' })
          : crypto.randomBytes(32);
        const secret = SecureBuffer.from(der);
        const before = crypto.secureHeapUsed().used;
        const keyObject = secret.use((view) => {
          if (!options) return crypto.createSecretKey(view);
          const key = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
          return crypto.createPrivateKey({ key, format: 'der', type: 'pkcs8' });
        });
        out[name] = crypto.secureHeapUsed().used - before;
        globalThis['keep' + name] = keyObject;
      }
      out.total = crypto.secureHeapUsed().total;
      process.stdout.write(JSON.stringify(out));`;
    const result = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script]);
    expect(result.stderr.toString()).toBe('');
    return JSON.parse(result.stdout.toString()) as Record<string, number>;
  };

  it('with --secure-heap, OpenSSL keeps the parsed private keys there; a secret KeyObject never goes there', () => {
    const secured = measure(['--secure-heap=65536', '--secure-heap-min=16']);
    expect(secured.total).toBe(65536);
    expect(secured.ed25519).toBeGreaterThanOrEqual(32);
    expect(secured.rsa).toBeGreaterThanOrEqual(256);
    expect(secured.secret).toBe(0);
  });

  it('the control: without it there is no secure heap at all', () => {
    expect(measure([])).toEqual({ ed25519: 0, rsa: 0, secret: 0, total: 0 });
  });
});
