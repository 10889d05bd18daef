// The floor: the same OS calls memshield's Linux host makes for each benchmark case, issued
// straight from C. It runs as a persistent child of the benchmark and times the work in-process,
// so a ratio against it measures memshield's own cost (JS checks, the Wasm core, koffi calls),
// never process start-up.
//
// Protocol, one line each way (stdin → stdout):
//   run   <case> <bytes> <iterations>   →  ok <total nanoseconds for the timed loop>
//   trace <case> <bytes> <iterations>   →  the same, between two marker stat() calls that the
//                                           syscall audit (bench/lib/audit.mjs) looks for
//   quit                                →  (exits)
// Anything wrong is answered `error <message>`. Built with -DFLOOR_LIBRARY it is instead a
// shared library exporting floor_run(), for bench/layers.mjs.
//
// Each case mirrors, call for call, what the core asks the host to do (assembly/operations.ts);
// the syscall audit checks that the counts per iteration agree.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MARK_BEGIN "/memshield-bench-mark/begin"
#define MARK_END "/memshield-bench-mark/end"

// Canary pattern as the core keeps it (assembly/canary.ts): 16 random bytes repeated over a
// chunk, copied from pattern + (offset & 15) so it lines up wherever a chunk starts.
#define CANARY_SIZE 16
#define CANARY_MASK (CANARY_SIZE - 1)
#define CHUNK 4096

static size_t page;
static unsigned char pattern[CHUNK + CANARY_SIZE];
static unsigned char scratch[CHUNK];
static volatile unsigned canary_damage; // keeps the comparison from being optimised out

static size_t align_up(size_t value, size_t alignment) { return (value + alignment - 1) & ~(alignment - 1); }
static size_t align_down(size_t value, size_t alignment) { return value & ~(alignment - 1); }

static void die(const char *what) {
  printf("error %s: %s\n", what, strerror(errno));
  fflush(stdout);
  exit(1);
}

// ┌──────────┬───────────────────────────────────────────┬──────────┐
// │ guard    │ data pages [front canary][data ▸][back]   │ guard    │
// │ PROT_NONE│ read-write, locked, DONTDUMP, DONTFORK     │ PROT_NONE│
// └──────────┴───────────────────────────────────────────┴──────────┘
// base       base+pages_offset                              base+mapping_length
struct secure_region {
  unsigned char *base;   // the mapping
  size_t mapping_length; // guards included
  size_t pages_offset;   // first data page
  size_t pages_length;   // whole data pages
  size_t data_offset;    // first data byte (placed against the trailing guard)
  size_t size;           // data bytes
};

static void write_canary(unsigned char *base, size_t offset, size_t length) {
  while (length > 0) {
    size_t step = length < CHUNK ? length : CHUNK;
    memcpy(base + offset, pattern + (offset & CANARY_MASK), step);
    offset += step;
    length -= step;
  }
}

static void check_canary(unsigned char *base, size_t offset, size_t length) {
  unsigned difference = 0;
  while (length > 0) {
    size_t step = length < CHUNK ? length : CHUNK;
    memcpy(scratch, base + offset, step);
    const unsigned char *expected = pattern + (offset & CANARY_MASK);
    for (size_t i = 0; i < step; i++) difference |= scratch[i] ^ expected[i];
    offset += step;
    length -= step;
  }
  explicit_bzero(scratch, sizeof scratch);
  canary_damage |= difference;
}

// The layout of allocate(size, 8, …, Secure) — a guard page on each side, the data against the
// trailing one — mapped all NoAccess.
static struct secure_region secure_reserve(size_t size) {
  struct secure_region r;
  size_t first = align_up(page, 8);
  size_t pages_end = align_up(first + size, page);
  r.size = size;
  r.pages_offset = page;
  r.pages_length = pages_end - page;
  r.data_offset = align_down(pages_end - size, 8);
  r.mapping_length = pages_end + page;
  r.base = mmap(NULL, r.mapping_length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (r.base == MAP_FAILED) die("mmap");
  return r;
}

// allocate(size, 8, ReadWrite, Secure): map all NoAccess, open the data pages, canary the
// slack, advise DONTDUMP and DONTFORK over the whole mapping, lock the data pages.
static struct secure_region secure_open(size_t size) {
  struct secure_region r = secure_reserve(size);
  // The core's order (assembly/operations.ts): out of core dumps before the pages can hold anything.
  if (madvise(r.base, r.mapping_length, MADV_DONTDUMP)) die("madvise");
  if (mprotect(r.base + r.pages_offset, r.pages_length, PROT_READ | PROT_WRITE)) die("mprotect");
  size_t back = r.data_offset + size;
  write_canary(r.base, r.pages_offset, r.data_offset - r.pages_offset);
  write_canary(r.base, back, r.pages_offset + r.pages_length - back);
  if (madvise(r.base, r.mapping_length, MADV_DONTFORK)) die("madvise");
  if (mlock(r.base + r.pages_offset, r.pages_length)) die("mlock");
  return r;
}

// free(): the pages are read-write here, so no mprotect; check the canary, wipe, unmap.
static void secure_close(struct secure_region *r) {
  size_t back = r->data_offset + r->size;
  check_canary(r->base, r->pages_offset, r->data_offset - r->pages_offset);
  check_canary(r->base, back, r->pages_offset + r->pages_length - back);
  explicit_bzero(r->base + r->pages_offset, r->pages_length);
  if (munmap(r->base, r->mapping_length)) die("munmap");
}

// SecureBuffer's free (assembly/quarantine.ts): wiped as secure_close does, then decommitted — one
// mmap(MAP_FIXED, PROT_NONE) over the whole range — and held, oldest first, up to 16 MiB of
// ranges; past that the oldest is unmapped. Steady state: one mmap and one munmap per free.
#define QUARANTINE_CAP (16u << 20)
static void *held_base[4096];
static size_t held_length[4096];
static size_t held_head, held_count, held_bytes;

static void secure_retire(struct secure_region *r) {
  size_t back = r->data_offset + r->size;
  check_canary(r->base, r->pages_offset, r->data_offset - r->pages_offset);
  check_canary(r->base, back, r->pages_offset + r->pages_length - back);
  explicit_bzero(r->base + r->pages_offset, r->pages_length);
  if (mmap(r->base, r->mapping_length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
    die("mmap");
  while (held_count > 0 && (held_count >= 4096 || held_bytes + r->mapping_length > QUARANTINE_CAP)) {
    if (munmap(held_base[held_head], held_length[held_head])) die("munmap");
    held_bytes -= held_length[held_head];
    held_head = (held_head + 1) % 4096;
    held_count--;
  }
  size_t at = (held_head + held_count) % 4096;
  held_base[at] = r->base;
  held_length[at] = r->mapping_length;
  held_count++;
  held_bytes += r->mapping_length;
}

// allocate(size, 8, ReadWrite, Secure, { secretMemory }): map all NoAccess, then replace the
// data pages by secret memory (memfd_secret, ftruncate, mmap MAP_SHARED|MAP_FIXED read-write,
// close: host/linux-secret-memory.ts), canary the slack, advise DONTDUMP and DONTFORK over the
// whole mapping; no mlock (the kernel locks secret memory itself). Freed as secure_close frees.
#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif
static struct secure_region secret_open(size_t size) {
  struct secure_region r = secure_reserve(size);
  if (madvise(r.base, r.mapping_length, MADV_DONTDUMP)) die("madvise"); // the core's order, as secure_open
  int fd = (int)syscall(SYS_memfd_secret, (unsigned)O_CLOEXEC);
  if (fd < 0) die("memfd_secret");
  if (ftruncate(fd, (off_t)r.pages_length)) die("ftruncate");
  void *pages = mmap(r.base + r.pages_offset, r.pages_length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
  if (pages == MAP_FAILED) die("mmap");
  close(fd);
  size_t back = r.data_offset + size;
  write_canary(r.base, r.pages_offset, r.data_offset - r.pages_offset);
  write_canary(r.base, back, r.pages_offset + r.pages_length - back);
  if (madvise(r.base, r.mapping_length, MADV_DONTFORK)) die("madvise");
  return r;
}

// allocate(size, 8, ReadWrite, Regular): one read-write mapping; free unmaps it (never written, it
// holds nothing to wipe: memshield zeroes only pages that were written, docs/sizes.md).
static unsigned char *regular_open(size_t size) {
  unsigned char *base = mmap(NULL, align_up(size, page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) die("mmap");
  return base;
}

static void regular_close(unsigned char *base, size_t size) {
  if (munmap(base, align_up(size, page))) die("munmap");
}

// allocate(size, 8, ReadWrite, LargePage) with transparent huge pages: over-map by one huge
// page, trim to a huge-page-aligned window, advise MADV_HUGEPAGE; free unmaps (never written).
#define HUGE_PAGE (2u << 20)
static unsigned char *large_open(size_t size) {
  size_t length = align_up(size, HUGE_PAGE);
  unsigned char *raw = mmap(NULL, length + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) die("mmap");
  unsigned char *base = (unsigned char *)align_up((uintptr_t)raw, HUGE_PAGE);
  size_t head = (size_t)(base - raw);
  if (head > 0) munmap(raw, head);
  if (HUGE_PAGE - head > 0) munmap(base + length, HUGE_PAGE - head);
  if (madvise(base, length, MADV_HUGEPAGE)) die("madvise");
  return base;
}

static void large_close(unsigned char *base, size_t size) {
  size_t length = align_up(size, HUGE_PAGE);
  if (munmap(base, length)) die("munmap");
}

static uint64_t now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void mark(const char *path) {
  struct stat ignored;
  stat(path, &ignored); // fails with ENOENT; strace sees the path
}

// Runs one case: setup (untimed), the timed loop, teardown (untimed). Returns nanoseconds,
// or -1 for an unknown case name.
static int64_t run_case(const char *name, size_t bytes, uint64_t iterations, int traced) {
  struct secure_region r = {0};
  unsigned char *plain = NULL, *buffer = NULL;
  uint64_t start = 0, end = 0;
  int kind;

  if (!strcmp(name, "secure-alloc-free")) kind = 0;
  else if (!strcmp(name, "regular-alloc-free")) kind = 1;
  else if (!strcmp(name, "largepage-alloc-free")) kind = 2;
  else if (!strcmp(name, "protect-toggle")) kind = 3;
  else if (!strcmp(name, "lock-unlock")) kind = 4;
  else if (!strcmp(name, "write")) kind = 5;
  else if (!strcmp(name, "read")) kind = 6;
  else if (!strcmp(name, "clear")) kind = 7;
  else if (!strcmp(name, "secure-buffer-alloc-free")) kind = 8;
  else if (!strcmp(name, "secure-use")) kind = 9;
  else if (!strcmp(name, "arena-use")) kind = 10;
  else if (!strcmp(name, "secret-alloc-free")) kind = 11;
  else if (!strcmp(name, "secret-buffer-alloc-free")) kind = 12;
  else return -1;

  // Setup, as memshield's benchmark sets up the same case.
  if (kind >= 3 && kind != 4 && kind != 8 && kind <= 10) r = secure_open(bytes);
  // SecureBuffer / SecureHeap arena at rest: the data pages NoAccess (still locked).
  if (kind == 9 || kind == 10) {
    if (mprotect(r.base + r.pages_offset, r.pages_length, PROT_NONE)) die("mprotect");
  }
  // use() opens what holds the secret: a standalone buffer's data pages; in an arena, one page
  // (the first: where a fresh heap puts its first 32-byte secret), splitting the arena's mapping.
  size_t use_offset = r.pages_offset, use_length = kind == 10 ? page : r.pages_length;
  unsigned char *opened = r.base + use_offset;
  if (kind == 4) plain = regular_open(bytes);
  if (kind == 5 || kind == 6) {
    buffer = malloc(bytes);
    if (!buffer) die("malloc");
    memset(buffer, 0x5a, bytes);
  }
  if (kind == 6) memset(r.base + r.data_offset, 0xa5, bytes);
  unsigned char *data = r.base + r.data_offset;

  if (traced) mark(MARK_BEGIN);
  start = now();
  switch (kind) {
    case 0:
      for (uint64_t i = 0; i < iterations; i++) {
        struct secure_region each = secure_open(bytes);
        secure_close(&each);
      }
      break;
    case 1:
      for (uint64_t i = 0; i < iterations; i++) regular_close(regular_open(bytes), bytes);
      break;
    case 2:
      for (uint64_t i = 0; i < iterations; i++) large_close(large_open(bytes), bytes);
      break;
    case 3:
      for (uint64_t i = 0; i < iterations; i++) {
        if (mprotect(r.base + r.pages_offset, r.pages_length, PROT_NONE)) die("mprotect");
        if (mprotect(r.base + r.pages_offset, r.pages_length, PROT_READ)) die("mprotect");
      }
      break;
    case 4:
      for (uint64_t i = 0; i < iterations; i++) {
        if (mlock(plain, align_up(bytes, page))) die("mlock");
        if (munlock(plain, align_up(bytes, page))) die("munlock");
      }
      break;
    case 5:
      for (uint64_t i = 0; i < iterations; i++) {
        memcpy(data, buffer, bytes);
        __asm__ volatile("" ::: "memory"); // each copy really happens
      }
      break;
    case 6:
      for (uint64_t i = 0; i < iterations; i++) {
        memcpy(buffer, data, bytes);
        __asm__ volatile("" ::: "memory");
      }
      break;
    case 7:
      for (uint64_t i = 0; i < iterations; i++) explicit_bzero(data, bytes);
      break;
    case 8: // SecureBuffer.alloc (made NoAccess) + dispose (opened to wipe, range quarantined)
      for (uint64_t i = 0; i < iterations; i++) {
        struct secure_region each = secure_open(bytes);
        if (mprotect(each.base + each.pages_offset, each.pages_length, PROT_NONE)) die("mprotect");
        if (mprotect(each.base + each.pages_offset, each.pages_length, PROT_READ | PROT_WRITE)) die("mprotect");
        secure_retire(&each);
      }
      break;
    case 11: // allocate(…, Secure, { secretMemory }) + free
      for (uint64_t i = 0; i < iterations; i++) {
        struct secure_region each = secret_open(bytes);
        secure_close(&each);
      }
      break;
    case 12: // SecureBuffer.alloc in secret memory (made NoAccess) + dispose (opened to wipe, range quarantined)
      for (uint64_t i = 0; i < iterations; i++) {
        struct secure_region each = secret_open(bytes);
        if (mprotect(each.base + each.pages_offset, each.pages_length, PROT_NONE)) die("mprotect");
        if (mprotect(each.base + each.pages_offset, each.pages_length, PROT_READ | PROT_WRITE)) die("mprotect");
        secure_retire(&each);
      }
      break;
    case 9:
    case 10: // use(view => view[0])
      for (uint64_t i = 0; i < iterations; i++) {
        if (mprotect(opened, use_length, PROT_READ)) die("mprotect");
        canary_damage |= *(volatile unsigned char *)(r.base + r.data_offset);
        if (mprotect(opened, use_length, PROT_NONE)) die("mprotect");
      }
      break;
  }
  end = now();
  if (traced) mark(MARK_END);

  // Teardown.
  if (kind == 3 || kind == 9 || kind == 10) mprotect(r.base + r.pages_offset, r.pages_length, PROT_READ | PROT_WRITE);
  if (kind >= 3 && kind != 4 && kind != 8 && kind <= 10) secure_close(&r);
  if (kind == 4) regular_close(plain, bytes);
  free(buffer);
  return (int64_t)(end - start);
}

static void init(void) {
  page = (size_t)sysconf(_SC_PAGESIZE);
  // The pattern's 16 bytes: any value does for timing; fixed so runs are repeatable.
  for (size_t i = 0; i < sizeof pattern; i++) pattern[i] = (unsigned char)(0x9e + 37 * (i & CANARY_MASK));
}

#ifdef FLOOR_LIBRARY
// Built as a shared library (bench/layers.mjs), the same cases run inside the node process:
// a cross-check that the child's figures are not flattered by its small, single-threaded
// address space. Returns nanoseconds, or -1 for an unknown case.
int64_t floor_run(const char *name, uint64_t bytes, uint64_t iterations) {
  if (!page) init();
  return run_case(name, (size_t)bytes, iterations, 0);
}
#else
int main(void) {
  init();

  char line[256], command[16], name[64];
  unsigned long long bytes, iterations;
  while (fgets(line, sizeof line, stdin)) {
    if (sscanf(line, "%15s", command) != 1) continue;
    if (!strcmp(command, "quit")) break;
    int traced = !strcmp(command, "trace");
    if ((!traced && strcmp(command, "run")) ||
        sscanf(line, "%*s %63s %llu %llu", name, &bytes, &iterations) != 3 || bytes == 0) {
      printf("error bad command: %s", line);
    } else {
      int64_t ns = run_case(name, (size_t)bytes, iterations, traced);
      if (ns < 0) printf("error unknown case %s\n", name);
      else printf("ok %lld\n", (long long)ns);
    }
    fflush(stdout);
  }
  return 0;
}
#endif
