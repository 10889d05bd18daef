// The control of test/types/consumer.test.ts: each marked line must fail to compile, with the
// reason in the message. The line numbers are asserted there.
import { SecureBuffer } from 'memshield';

const key = SecureBuffer.alloc(8);
key.use(async (view) => view[0]); // refused: async
key.update(async (view) => void view.fill(1)); // refused: async (one line: the test asserts line numbers)
key.use((view) => view); // refused: the view itself
key.use((view) => Promise.resolve(view.length)); // refused: a promise
