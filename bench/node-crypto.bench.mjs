// A secret used through node:crypto (docs/secrets-in-apps.md): HMAC-SHA256 of 1 KiB and an
// Ed25519 signature, two ways each — a KeyObject made once inside use() (Node keeps a copy,
// signing runs at KeyObject speed) and the key re-parsed from the use() view on every call (no
// copy outside memshield between calls, at the cost of parsing). Each is timed against a JS
// floor, the same work with the key in a plain Buffer as a program without memshield holds it,
// in the same interleaved rounds. No sodium side.
import { createHmac, createPrivateKey, createSecretKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
/** @typedef {import('./lib/cases.mjs').TimedCase} TimedCase */

const KIB = 1024;
const common = { sodium: null, teardown: ({ key }) => key.dispose() };

/**
 * The floor of the HMAC rows: the same HMAC with the key in a plain Buffer, as a program without memshield holds it.
 */
function hmacWithPlainKey({ plain, data }, iterations) {
  for (let i = 0; i < iterations; i++) createHmac('sha256', plain).update(data).digest();
}

function hmacSetup(env) {
  const bytes = randomBytes(32);
  const plain = Buffer.from(bytes);
  const key = env.memshield.SecureBuffer.from(bytes);
  return { key, plain, keyObject: key.use((view) => createSecretKey(view)), data: randomBytes(KIB) };
}

function ed25519Setup(env) {
  const der = generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' });
  const plain = Buffer.from(der);
  const key = env.memshield.SecureBuffer.from(der);
  const keyObject = key.use((view) => createPrivateKey({ key: view, format: 'der', type: 'pkcs8' }));
  const plainKeyObject = createPrivateKey({ key: plain, format: 'der', type: 'pkcs8' });
  return { key, plain, keyObject, plainKeyObject, data: randomBytes(KIB) };
}

/** @type {{ order: number, cases: TimedCase[] }} */
export default {
  order: 90,
  cases: [
    {
      ...common,
      id: 'hmac-sha256-keyobject',
      title: 'HMAC-SHA256 1 KiB: KeyObject made once',
      setup: hmacSetup,
      memshield({ keyObject, data }, iterations) {
        for (let i = 0; i < iterations; i++) createHmac('sha256', keyObject).update(data).digest();
      },
      floor: { js: hmacWithPlainKey },
      targets: { floor: 1.15 },
    },
    {
      ...common,
      id: 'hmac-sha256-reparse',
      title: 'HMAC-SHA256 1 KiB: key from use() each call',
      setup: hmacSetup,
      memshield({ key, data }, iterations) {
        for (let i = 0; i < iterations; i++) key.use((view) => createHmac('sha256', view).update(data).digest());
      },
      floor: { js: hmacWithPlainKey },
      note:
        'HMAC rows: the floor is the same HMAC with the key in a plain Buffer; a KeyObject made ' +
        'once inside use() runs at its speed (docs/secrets-in-apps.md lists the copy Node keeps).',
    },
    {
      ...common,
      id: 'ed25519-sign-keyobject',
      title: 'Ed25519 sign 1 KiB: KeyObject made once',
      setup: ed25519Setup,
      memshield({ keyObject, data }, iterations) {
        for (let i = 0; i < iterations; i++) sign(null, data, keyObject);
      },
      floor: {
        js: ({ plainKeyObject, data }, iterations) => {
          for (let i = 0; i < iterations; i++) sign(null, data, plainKeyObject);
        },
      },
    },
    {
      ...common,
      id: 'ed25519-sign-reparse',
      title: 'Ed25519 sign 1 KiB: DER parsed from use() each call',
      setup: ed25519Setup,
      memshield({ key, data }, iterations) {
        for (let i = 0; i < iterations; i++)
          key.use((view) => sign(null, data, { key: view, format: 'der', type: 'pkcs8' }));
      },
      floor: {
        js: ({ plain, data }, iterations) => {
          for (let i = 0; i < iterations; i++) sign(null, data, { key: plain, format: 'der', type: 'pkcs8' });
        },
      },
      note:
        'Ed25519 rows: the floor is the same signature from a plain Buffer key; ' +
        'parsing the key per call costs more than signing, so make the KeyObject once.',
    },
  ],
};
