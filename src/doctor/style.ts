// Colors for the text report: only on a terminal, and never when NO_COLOR is set
// (https://no-color.org: present and not empty).

/** How text is decorated; `plainStyle` leaves it alone. */
export interface Style {
  ok(text: string): string;
  bad(text: string): string;
  heading(text: string): string;
  dim(text: string): string;
}

const ansi = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;

/** Green ✓, red ✗, bold headings, dim details. */
export const colorStyle: Style = { ok: ansi(32, 39), bad: ansi(31, 39), heading: ansi(1, 22), dim: ansi(2, 22) };

/** No escape codes at all. */
export const plainStyle: Style = { ok: (t) => t, bad: (t) => t, heading: (t) => t, dim: (t) => t };

/**
 * True when output to `stream` should be colored: it is a terminal and NO_COLOR is unset or empty.
 * @param stream - where the report goes (process.stdout)
 * @param env - the environment (process.env)
 */
export function wantsColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}
