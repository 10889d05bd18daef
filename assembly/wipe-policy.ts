// The core's half of the heap's wipe policy: what a wipe writes, and how much is wiped at once.
// The other half — when freed slots are wiped, and how a failed wipe is retried — is the public
// layer's, in src/wipe-policy.ts. heap-wipe.ts only carries a wipe out.

/**
 * The byte wiped memory is set to. A page's image (heap-layout.ts) holds it everywhere but the
 * canary gaps, so damage detection compares with what a wipe leaves, whatever that is; fresh
 * slots hold it too, and the API promises zero-filled secrets: it stays 0.
 */
export const WIPE_BYTE: u8 = 0;

/**
 * How much: freeing only marks a slot pending; a class that already has this many pages wipes
 * every pending slot (one span open and close per arena) before it takes another page, so a loop
 * of alloc/free settles on a few pages, while a younger class takes virgin pages first so that
 * one wipe covers many slots. (Independent of how many virgin pages are formatted at once.)
 */
export const FLUSH_BEFORE_GROWING_AT_PAGES: u32 = 8;
