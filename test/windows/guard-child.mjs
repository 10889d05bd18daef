// A child process for the guard-page tests: maps a guarded region with a native host and reads
// one byte — of the data (mode "data": must exit 0) or of the trailing guard page (mode
// "guard": must die: on Windows with STATUS_ACCESS_VIOLATION, exit code 3221225477 =
// 0xC0000005; on macOS by SIGSEGV or SIGBUS).
// Usage: node guard-child.mjs <url of host module> <url of src/platform-memory.js> <mode> [factory]
// (factory: the host module's export, createWin32Host by default, createDarwinHost on macOS)
import { createRequire } from 'node:module';

const [hostUrl, memoryUrl, mode, factory = 'createWin32Host'] = process.argv.slice(2);
const hostModule = await import(hostUrl);
const { createPlatformMemory } = await import(memoryUrl);
const koffi = createRequire(hostUrl)('koffi'); // the same koffi the host loaded

const memory = createPlatformMemory({ host: hostModule[factory]() });
const region = memory.allocateWithGuardPages(4096, 1, 1, 8);
memory.write(region, new Uint8Array(4096).fill(0x5a));
const info = memory.inspect(region);
const target = mode === 'guard' ? info.guards[info.guards.length - 1].address : info.data.address;
const byte = koffi.decode(target, 'uint8_t');
// Only the data read gets here; its byte proves the read really happened.
process.exitCode = byte === 0x5a ? 0 : 2;
