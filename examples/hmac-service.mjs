// An HMAC-signing HTTP service on loopback. Its key comes from a file, read straight into locked
// memory; the KeyObject is made once inside use(), so each request signs at KeyObject speed.
//   node examples/hmac-service.mjs KEY_FILE      → prints "listening PORT"; POST /sign a body
//   (at most 64 KiB) and get its HMAC-SHA256 in hex. SIGTERM or SIGINT stops it.
import { createHmac, createSecretKey } from 'node:crypto';
import { createServer } from 'node:http';
import { secretFromFile } from 'memshield';

const MAX_BODY = 64 * 1024;
const key = secretFromFile(process.argv[2], { trimNewline: true, maxSize: 1024 });
const keyObject = key.use((view) => createSecretKey(view)); // Node's copy; see docs/secrets-in-apps.md

const server = createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/sign') {
    response.writeHead(404).end();
    return;
  }
  const hmac = createHmac('sha256', keyObject);
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY) {
      response.writeHead(413).end();
      request.destroy();
      return;
    }
    hmac.update(chunk);
  });
  request.on('end', () => {
    if (size <= MAX_BODY) response.writeHead(200, { 'content-type': 'text/plain' }).end(hmac.digest('hex'));
  });
});

server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => server.close(() => key.dispose()));
}
