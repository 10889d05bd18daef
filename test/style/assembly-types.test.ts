// assembly/ type-checks as TypeScript against AssemblyScript's own declarations (assembly/tsconfig.json),
// as editors show it. AssemblyScript's decorators on functions (@inline, @external) are not
// TypeScript ("Decorators are not valid here", TS1206), so each of those carries a
// `// @ts-ignore: decorator`; decorators on class methods are valid and carry none.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript-5';
import { describe, expect, it } from 'vitest';

const ASSEMBLY = fileURLToPath(new URL('../../assembly/', import.meta.url));

/** The diagnostics of assembly/tsconfig.json's program, plus `extra` files (name → source), as text. */
function diagnostics(extra: Record<string, string> = {}): string[] {
  const configPath = join(ASSEMBLY, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configPath));
  const host = ts.createCompilerHost(parsed.options);
  const readFile = host.readFile;
  host.readFile = (name) => extra[name] ?? readFile(name);
  host.fileExists = (
    (exists) => (name: string) =>
      name in extra || exists(name)
  )(host.fileExists);
  const program = ts.createProgram(
    [...parsed.fileNames, ...Object.keys(extra)],
    { ...parsed.options, noEmit: true },
    host,
  );
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

describe('assembly/ as TypeScript', () => {
  it('finds a function decorator without its @ts-ignore (TS1206) and a type error (controls)', () => {
    const extra = join(ASSEMBLY, 'lint-control.ts');
    const found = diagnostics({
      [extra]: '@inline export function f(): u32 { return 1; }\nexport const g: u32 = "text";\n',
    });
    expect(found.filter((text) => text.startsWith(extra)).map((text) => text.split(' ')[1])).toEqual([
      'TS1206',
      'TS2322',
    ]);
  });

  it('type-checks with no error against AssemblyScript std/assembly declarations', () => {
    expect(diagnostics()).toEqual([]);
  });
});
