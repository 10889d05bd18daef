// Reads back what an SVG memory map drew: each page cell's data-* attributes and its text labels.
export interface DrawnPage {
  address: bigint;
  role: string;
  permissions: string;
  locked: boolean;
  dumpExcluded: boolean;
  forkExcluded: boolean;
  secretMemory: boolean;
  /** The visible labels: role, address tail, permissions, flags. */
  labels: string[];
}

/** The page cells of `svg`, in document order. */
export function drawnPages(svg: string): DrawnPage[] {
  return [...svg.matchAll(/<g class="page" ([^>]*)>(.*?)<\/g>/g)].map(([, attributes, inner]) => {
    const attribute = (name: string) => {
      const match = new RegExp(`data-${name}="([^"]*)"`).exec(attributes);
      if (!match) throw new Error(`page cell without data-${name}: ${attributes}`);
      return match[1];
    };
    return {
      address: BigInt(attribute('address')),
      role: attribute('role'),
      permissions: attribute('permissions'),
      locked: attribute('locked') === 'true',
      dumpExcluded: attribute('dump-excluded') === 'true',
      forkExcluded: attribute('fork-excluded') === 'true',
      secretMemory: attribute('secret-memory') === 'true',
      labels: [...inner.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]),
    };
  });
}
