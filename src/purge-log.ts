// When purge() ran, so that a handle it ended can say so: a SecureBuffer or SecureHeap notes how
// many purges had run when it was made; if its handle is found freed later and it was not
// disposed or destroyed by its own call, the first purge after its making is what ended it.

const purgeTimes: string[] = [];

/** Purges run so far in this copy of memshield. */
export function purgeCount(): number {
  return purgeTimes.length;
}

/** Records a purge started at `at` (an ISO time). */
export function recordPurge(at: string): void {
  purgeTimes[purgeTimes.length] = at;
}

/** The time of the first purge after `countAtMaking` purges had run, or undefined if none has. */
export function purgeAfter(countAtMaking: number): string | undefined {
  return countAtMaking < purgeTimes.length ? purgeTimes[countAtMaking] : undefined;
}

/** Forgets the purge recorded last (it found nothing: no handle can name it). */
export function forgetLastPurge(): void {
  purgeTimes.length = purgeTimes.length - 1;
}
