// Child for test/simulated/access.test.ts: writes through a view of read-only pages, which real
// memory would kill the process for. The simulated host finds it when the view is revoked,
// restores the byte, and throws a SimulatedFaultError uncaught, so this child must die of it.
const { createSimulatedHost } = await import(new URL('../../dist/src/testing.js', import.meta.url));

const host = createSimulatedHost();
const id = host.map(4096, 4096, 2 /* ReadWrite */, 0);
host.fill(id, 0, 4096, 5);
host.protect(id, 0, 4096, 1 /* ReadOnly */);
const view = host.view(id, 0, 4);
view[1] = 9; // the bug: real memory faults here
host.protect(id, 0, 4096, 0 /* NoAccess: the scope ends, the view is revoked */);
host.protect(id, 0, 4096, 1);
const byte = new Uint8Array(1);
host.copyOut(id, 1, byte);
console.log(JSON.stringify({ byteAfterRevoke: byte[0], viewLength: view.length }));
