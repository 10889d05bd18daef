// The doctor's report as text: the machine's facts, then each self-test step (✓/✗ with what the
// kernel reports), with the picture of the region after the allocation step.
import { formatBytes, formatLimit } from './format.js';
import {
  isUnavailable,
  type CoreDumpFacts,
  type Fact,
  type HibernationFacts,
  type HugePageFacts,
  type MachineFacts,
  type MappingFacts,
  type MemoryFacts,
  type MemfdSecretFacts,
  type MemlockFacts,
} from './machine-facts.js';
import type { SecretBackingFacts } from './secret-backing.js';
import { drawRegion } from './region-picture.js';
import type { DoctorReport } from './report.js';
import type { SelfTestResult, SelfTestStep } from './self-test.js';
import type { Style } from './style.js';

const LABEL_WIDTH = 22;
/** Kernel mappings one Secure region costs: guard | data pages | guard. */
const MAPPINGS_PER_SECURE_REGION = 3;

/** `label  first line`, further lines aligned under the first. */
function factLines(label: string, lines: string[]): string[] {
  return lines.map((line, i) => `  ${(i === 0 ? label : '').padEnd(LABEL_WIDTH)}${line}`);
}

function show<T extends object>(fact: Fact<T>, describe: (value: T) => string[]): string[] {
  return isUnavailable(fact) ? [fact.unavailable] : describe(fact);
}

function memlockLines(memlock: MemlockFacts, pageSize: number | undefined): string[] {
  const lines = [
    `RLIMIT_MEMLOCK soft ${formatLimit(memlock.soft)}, hard ${formatLimit(memlock.hard)}; ` +
      `locked now ${formatBytes(memlock.lockedBytes)} (VmLck)`,
  ];
  if (memlock.ignoresLimit)
    lines.push('CAP_IPC_LOCK in effect: mlock ignores the limit (unprivileged users are held to it)');
  else if (memlock.soft !== 'unlimited' && pageSize) {
    const room = Math.max(0, Math.floor((memlock.soft - memlock.lockedBytes) / pageSize));
    lines.push(
      room > 0
        ? `room for about ${room} more one-page Secure regions`
        : 'no room for one more locked page: Secure regions, SecureBuffer and SecureHeap ' +
            "fail with LOCK_FAILED (raise ulimit -l, or pass { lock: 'bestEffort' })",
    );
  }
  return lines;
}

function hugePageLines(huge: HugePageFacts): string[] {
  const explicit = huge.total === 0 ? 'none reserved (MAP_HUGETLB fails)' : `${huge.total} reserved, ${huge.free} free`;
  return [
    `explicit ${formatBytes(huge.pageSize)} pages: ${explicit}`,
    `transparent: ` +
      `${huge.transparentMode}${huge.transparentMode === 'madvise' ? ' (LargePage asks with MADV_HUGEPAGE)' : ''}`,
  ];
}

function memfdSecretLines(memfd: MemfdSecretFacts): string[] {
  if (memfd.works) {
    return [
      `works (syscall ${memfd.syscall} returned a descriptor, closed again)`,
      "PlatformMemory's Secure regions use it only when asked ({ secretMemory })",
    ];
  }
  const hint =
    memfd.errnoName === 'ENOSYS'
      ? ': this kernel lacks it, or it is off (older kernels need secretmem.enable=1 at boot)'
      : '';
  return [`does not work: syscall ${memfd.syscall} failed with ${memfd.errnoName ?? `errno ${memfd.errno}`}${hint}`];
}

/** What a SecureBuffer made now with the default options got, where the default comes from, and its costs. */
function secretBackingLines(trial: SecretBackingFacts): string[] {
  const source =
    trial.source === 'environment'
      ? `set by ${trial.variable}`
      : trial.invalid
        ? `${trial.variable} holds an unknown value`
        : trial.unreadable
          ? `built-in default; ${trial.variable} could not be read: ${trial.unreadable}`
          : `built-in default; ${trial.variable} is unset`;
  const policy = trial.invalid ? `(${source})` : `secretMemory '${trial.policy}' (${source})`;
  if (trial.error) {
    return [
      `SecureBuffer and SecureHeap cannot allocate here: ` +
        `SecureBuffer.alloc(${trial.size}) failed with ${trial.error.code}; ${policy}`,
      trial.error.message,
    ];
  }
  if (trial.backing !== 'secret-memory') {
    return [
      `SecureBuffer and SecureHeap keep secrets in ordinary locked pages: ` +
        `SecureBuffer.alloc(${trial.size}) got them just now; ${policy}`,
    ];
  }
  return [
    `SecureBuffer and SecureHeap keep secrets in secret memory (memfd_secret): ` +
      `SecureBuffer.alloc(${trial.size}) got it just now; ${policy}`,
    'its costs: the kernel refuses to hibernate while any secret memory is in use (Linux 5.14+), and each secret page',
    `fragments the kernel's direct map; ${trial.variable}=off turns it off for the whole application`,
  ];
}

/** Whether this machine can hibernate at all. */
function hibernationLines(hibernation: HibernationFacts): string[] {
  const offered = hibernation.states.length > 0 ? hibernation.states.join(' ') : 'nothing';
  if (hibernation.canHibernate)
    return [
      `can hibernate (/sys/power/state: ${offered}; /sys/power/disk: ` +
        `${hibernation.diskModes}), but not while secret memory is in use`,
    ];
  const disk = hibernation.states.includes('disk')
    ? `disk, but /sys/power/disk is ${hibernation.diskModes ?? 'missing'}`
    : 'no disk';
  return [
    `cannot hibernate anyway (/sys/power/state offers ${offered}: ${disk}), so secret memory costs nothing there`,
  ];
}

const DUMPABLE = ['not dumpable', 'dumpable', 'dumpable, readable by root only'];

function coreDumpLines(core: CoreDumpFacts): string[] {
  // A piped core_pattern ignores RLIMIT_CORE in the kernel: the program it names decides.
  const written =
    core.dumpable === 0
      ? 'this process is never dumped'
      : core.pattern.startsWith('|')
        ? `a crash pipes the dump to ${core.pattern.slice(1).split(' ')[0]}`
        : core.soft === 0
          ? 'no core file is written'
          : 'a crash writes a core file';
  return [
    `RLIMIT_CORE soft ${formatLimit(core.soft)}, hard ${formatLimit(core.hard)}: ${written}`,
    `core_pattern ${JSON.stringify(core.pattern)}; PR_GET_DUMPABLE ` +
      `${core.dumpable} (${DUMPABLE[core.dumpable] ?? 'unknown'})`,
    'Secure data pages are left out of any dump (MADV_DONTDUMP)',
  ];
}

function mappingLines(mappings: MappingFacts): string[] {
  const room = Math.floor((mappings.max - mappings.count) / MAPPINGS_PER_SECURE_REGION);
  return [`${mappings.count} now, vm.max_map_count ${mappings.max} (room for about ${room} Secure regions)`];
}

function memoryLines(memory: MemoryFacts): string[] {
  const figures = [
    memory.available !== undefined && `MemAvailable ${formatBytes(memory.available)}`,
    memory.cgroup &&
      `memory cgroup ${memory.cgroup.path}: limit ` +
        `${formatBytes(memory.cgroup.limit)}, ${formatBytes(memory.cgroup.used)} in use`,
  ].filter(Boolean);
  return [
    `this process can still commit ${formatBytes(memory.bytes)}${figures.length ? ` (${figures.join('; ')})` : ''}`,
    'a Secure allocation (or lock) of 1 MiB or more past it is refused: its pages are committed when it is made',
  ];
}

function factsSection(facts: MachineFacts, style: Style): string[] {
  const pageSize = isUnavailable(facts.pageSize) ? undefined : facts.pageSize.bytes;
  return [
    style.heading('This machine'),
    ...factLines(
      'page size',
      show(facts.pageSize, (page) => [`${formatBytes(page.bytes)} (${page.bytes} B)`]),
    ),
    ...factLines(
      'locked memory',
      show(facts.memlock, (memlock) => memlockLines(memlock, pageSize)),
    ),
    ...factLines('huge pages', show(facts.hugePages, hugePageLines)),
    ...factLines('memfd_secret', show(facts.memfdSecret, memfdSecretLines)),
    ...factLines('secrets now', secretBackingLines(facts.secretBacking)),
    ...factLines('hibernation', show(facts.hibernation, hibernationLines)),
    ...factLines('core dumps', show(facts.coreDumps, coreDumpLines)),
    ...factLines('mappings', show(facts.mappings, mappingLines)),
    ...factLines('memory', show(facts.memory, memoryLines)),
  ];
}

function stepLine(step: SelfTestStep, source: string, style: Style): string[] {
  const mark = step.skipped ? style.dim('–') : step.ok ? style.ok('✓') : style.bad('✗');
  const evidence = [step.kernel && `${source}: ${step.kernel}`, step.detail].filter(Boolean).join('; ');
  const lines = [`  ${mark} ${step.name}${evidence ? ` ${style.dim('—')} ${evidence}` : ''}`];
  for (const problem of step.problems) lines.push(`      ${style.bad('·')} ${problem}`);
  return lines;
}

function selfTestSection(test: SelfTestResult, platform: string, style: Style): string[] {
  const where = test.kernelSource
    ? `checked in ${test.kernelSource}`
    : `no kernel view on ${platform}: checked on memshield's own report`;
  const lines = [
    style.heading(
      `Self-test: a ${test.type} region of ${formatBytes(test.size)} ` +
        `(align ${test.align}) through PlatformMemory, ${where}`,
    ),
  ];
  const source = test.kernelSource === '/proc/self/smaps' ? 'smaps' : 'kernel';
  test.steps.forEach((step, i) => {
    lines.push(...stepLine(step, source, style));
    if (i === 0 && test.region) lines.push('', ...drawRegion(test.region).map((line) => `   ${line}`), '');
  });
  return lines;
}

function verdict(test: SelfTestResult, style: Style): string {
  const failed = test.steps.filter((step) => !step.ok && !step.skipped).length;
  const skipped = test.steps.filter((step) => step.skipped).length;
  if (failed + skipped === 0) return style.ok(`All ${test.steps.length} steps ✓ — memshield works on this machine.`);
  const notRun = skipped > 0 ? `, ${skipped} not run` : '';
  return style.bad(`${failed} of ${test.steps.length} steps ✗${notRun} — see the reasons above.`);
}

/**
 * The report as text, ending with a newline.
 * @param report - what runDoctor() found
 * @param style - colorStyle on a terminal, plainStyle otherwise
 */
export function renderText(report: DoctorReport, style: Style): string {
  const { facts, selfTest } = report;
  return [
    `${style.heading(`memshield doctor ${report.version}`)} — ${facts.platform} ${facts.arch}, ` +
      `kernel ${facts.kernel}, ${facts.runtime}`,
    '',
    ...factsSection(facts, style),
    '',
    ...selfTestSection(selfTest, facts.platform, style),
    '',
    verdict(selfTest, style),
    '',
  ].join('\n');
}
