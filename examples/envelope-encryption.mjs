// Envelope encryption of records: each record gets its own data key (random, in a SecureHeap
// slot), encrypted with AES-256-GCM; the data key is wrapped by a master key taken from the
// environment (hex, then scrubbed from /proc/self/environ). Only wrapped keys are stored.
//   MASTER_KEY=<64 hex digits> node examples/envelope-encryption.mjs  → one JSON line
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { SecureHeap, secretFromEnv } from 'memshield';

const master = secretFromEnv('MASTER_KEY', { encoding: 'hex' });
const masterKey = master.use((view) => createSecretKey(view));
const heap = new SecureHeap();

/** AES-256-GCM of `plaintext` under `key` (a KeyObject or a view): iv ‖ tag ‖ ciphertext. */
function seal(key, plaintext) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(key, sealed) {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}

function encryptRecord(record) {
  const dataKey = heap.alloc(32);
  try {
    dataKey.update((view) => crypto.getRandomValues(view));
    return dataKey.use((view) => ({
      wrappedKey: seal(masterKey, view),
      ciphertext: seal(view, Buffer.from(JSON.stringify(record))),
    }));
  } finally {
    dataKey.dispose();
  }
}

function decryptRecord({ wrappedKey, ciphertext }) {
  const dataKey = heap.alloc(32);
  try {
    // The unwrapped key is written into the slot, and the temporary Buffer wiped at once.
    const unwrapped = open(masterKey, wrappedKey);
    dataKey.update((view) => view.set(unwrapped));
    unwrapped.fill(0);
    return JSON.parse(dataKey.use((view) => open(view, ciphertext)).toString());
  } finally {
    dataKey.dispose();
  }
}

const records = Array.from({ length: 100 }, (_, id) => ({
  id,
  name: `customer ${id}`,
  card: `4111-${String(id).padStart(4, '0')}`,
}));
const stored = records.map(encryptRecord);
const back = stored.map(decryptRecord);
const roundTrip = JSON.stringify(back) === JSON.stringify(records);
const distinctKeys = new Set(stored.map((entry) => entry.wrappedKey.toString('hex'))).size;
console.log(
  JSON.stringify({
    records: stored.length,
    roundTrip,
    distinctKeys,
    masterInEnv: 'MASTER_KEY' in process.env,
    liveInHeap: heap.stats().live,
  }),
);
heap.destroy();
master.dispose();
