// Copies of the built package side by side, as npm lays out an application whose dependency pins
// its own memshield: DIR/a/node_modules/memshield, DIR/b/node_modules/memshield, … and ONE koffi
// hoisted to DIR/node_modules/koffi (a link to this checkout's), which every copy loads.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `count` copies of dist/ + package.json; returns their entry files (file: URLs) and a remover. */
export function packageCopies(count: number): { entries: string[]; dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'memshield-copies-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(ROOT, 'node_modules', 'koffi'), join(dir, 'node_modules', 'koffi'), 'dir');
  const entries: string[] = [];
  for (let i = 0; i < count; i++) {
    const copy = join(dir, String.fromCharCode(97 + i), 'node_modules', 'memshield');
    mkdirSync(copy, { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
    cpSync(join(ROOT, 'dist'), join(copy, 'dist'), { recursive: true });
    entries.push(pathToFileURL(join(copy, 'dist', 'src', 'index.js')).href);
  }
  return { entries, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
