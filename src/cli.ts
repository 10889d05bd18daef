// The `memshield` command line. One command for now: `doctor`, which reports what this machine
// offers and runs a live self-test (src/doctor/); and `--version`. Exit status: 0 all good, 1 a
// self-test step failed, 2 a usage error.
import { writeFileSync } from 'node:fs';
import { renderJson } from './doctor/render-json.js';
import { memoryMapSvg } from './memory-map/index.js';
import { renderText } from './doctor/render-text.js';
import { memshieldVersion, runDoctor } from './doctor/report.js';
import { colorStyle, plainStyle, wantsColor } from './doctor/style.js';

/** Exit statuses of the command. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const USAGE = `Usage: memshield <command> [options]

Commands:
  doctor          report what this machine offers for secrets in memory (page size, memlock
                  limit, huge pages, memfd_secret, core dumps, map count), then run a live
                  self-test: a Secure region through allocate, protect, write/read, lock,
                  secureClear and free, each step checked in /proc/self/smaps

Options:
  --json          print the doctor's report as one JSON document (addresses as hex strings)
  --svg FILE      also write the self-test region's memory map, page by page as the kernel
                  reports it right after allocation, as an SVG picture to FILE
  -h, --help      print this help
  -v, --version   print memshield's version

Exit status: 0 every self-test step passed (or help was asked for), 1 a step failed, 2 a usage error.
Colors only on a terminal; NO_COLOR=1 turns them off.
`;

/** Where the command writes; process.stdout/stderr by default. */
export interface CliOutput {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

/** Asked-for help goes to stdout and exits 0; a mistake's usage goes to stderr and exits 2. */
function usage(output: CliOutput, problem?: string): number {
  if (!problem) {
    output.stdout.write(USAGE);
    return EXIT_OK;
  }
  output.stderr.write(`memshield: ${problem}\n\n${USAGE}`);
  return EXIT_USAGE;
}

/**
 * Runs the command line.
 * @param args - the arguments after the program name
 * @param output - where to write (the process's streams and environment by default)
 * @returns the exit status
 */
export function main(
  args: readonly string[],
  output: CliOutput = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): number {
  const [command, ...options] = args;
  if (command === undefined) return usage(output, 'no command given');
  if (command === '--help' || command === '-h' || command === 'help') return usage(output);
  if (command === '--version' || command === '-v') {
    output.stdout.write(`${memshieldVersion()}\n`);
    return EXIT_OK;
  }
  if (command !== 'doctor') return usage(output, `unknown command ${JSON.stringify(command)}`);

  let json = false;
  let svgPath: string | undefined;
  for (let i = 0; i < options.length; i++) {
    const option = options[i];
    if (option === '--json') json = true;
    else if (option === '--svg') {
      svgPath = options[++i];
      if (!svgPath || svgPath.startsWith('-'))
        return usage(output, '--svg needs the path of the file to write, e.g. --svg map.svg');
    } else if (option === '--help' || option === '-h') return usage(output);
    else return usage(output, `unknown option ${JSON.stringify(option)} for doctor`);
  }
  const report = runDoctor();
  if (svgPath !== undefined) {
    if (!report.selfTest.region) {
      output.stderr.write(
        `memshield: no memory map written to ${svgPath}: the self-test could not allocate its region\n`,
      );
    } else {
      const title = `memshield doctor: self-test Secure region of ${report.selfTest.size} B, right after allocation`;
      writeFileSync(svgPath, memoryMapSvg([report.selfTest.region], title));
    }
  }
  output.stdout.write(
    json ? renderJson(report) : renderText(report, wantsColor(output.stdout, output.env) ? colorStyle : plainStyle),
  );
  return report.ok ? EXIT_OK : EXIT_FAILED;
}
