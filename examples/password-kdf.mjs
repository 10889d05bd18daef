// A password prompt → scrypt → a derived key, none of it in a JS string: the password is read
// with echo off into locked memory, scrypt reads it from the view, and the derived key is
// written into another SecureBuffer. Prints an HMAC made with the derived key (a check value),
// never the key.
//   node examples/password-kdf.mjs SALT_HEX   (type the password; Enter)
import { createHmac, scryptSync } from 'node:crypto';
import { SecureBuffer, readPassword, wipe } from 'memshield';

const salt = Buffer.from(process.argv[2] ?? '6d656d736869656c64', 'hex');
const password = readPassword('Password: ');
const derived = SecureBuffer.alloc(32);
derived.update((target) => {
  const key = password.use((view) => scryptSync(view, salt, 32, { N: 1 << 14, r: 8, p: 1 }));
  target.set(key);
  wipe(key); // scrypt returned its result in an ordinary Buffer
});
password.dispose();
console.log(`check ${derived.use((view) => createHmac('sha256', view).update('memshield check').digest('hex'))}`);
derived.dispose();
