// The compiled Wasm core for Cloudflare's workerd, which refuses to compile Wasm from bytes at run
// time: the module is imported as a Wasm module, compiled by workerd when it loads the worker (the
// bundler keeps the import and the worker's config names core.wasm as a wasm module).
// Plain JavaScript outside src/: its import names the built file, build/core.wasm.
import coreModule from '../build/core.wasm';

export { coreModule };
