// Hardening on Windows: Windows Error Reporting collects crash dumps, so the steps are WER's —
// WerSetFlags(WER_FAULT_REPORTING_FLAG_NOHEAP) keeps heap memory out of this process's reports,
// and WerRegisterExcludedMemoryBlock leaves out the mappings of the secrets alive now (regions
// made later are not registered: call hardenProcess after creating long-lived secrets). There is
// no call by which a process keeps debuggers away: that step is reported unavailable.
import { loadKoffi } from '../node-builtins.js';
import { unavailable, type HardeningGoal, type HardeningStep, type LiveMapping } from './report.js';

// werapi.h.
const WER_FAULT_REPORTING_FLAG_NOHEAP = 1;
/** WER keeps at most this many excluded blocks per process (WER_MAX_REGISTERED_ENTRIES). */
const MAX_EXCLUDED_BLOCKS = 512;

const hresult = (value: number) => `0x${(value >>> 0).toString(16).padStart(8, '0')}`;

/** The Windows steps for the goals asked for. */
export function hardenWin32(goals: HardeningGoal[], liveSecretMappings: () => LiveMapping[]): HardeningStep[] {
  const steps: HardeningStep[] = [];
  if (goals.includes('coreDumps')) {
    const kernel32 = loadKoffi().load('kernel32.dll');
    const bind = (signature: string) => {
      try {
        return kernel32.func(signature);
      } catch {
        return undefined; // older Windows (or Wine) without it
      }
    };
    const setFlags = bind('int __stdcall WerSetFlags(uint32_t flags)');
    const exclude = bind('int __stdcall WerRegisterExcludedMemoryBlock(void *address, uint32_t size)');
    const flagsCall = 'WerSetFlags(WER_FAULT_REPORTING_FLAG_NOHEAP)';
    if (!setFlags) steps.push(unavailable(['coreDumps'], flagsCall, 'kernel32 has no WerSetFlags here'));
    else {
      const result = setFlags(WER_FAULT_REPORTING_FLAG_NOHEAP) as number;
      steps.push(
        result === 0
          ? {
              goals: ['coreDumps'],
              call: flagsCall,
              outcome: 'applied',
              detail: 'error reports of this process leave out its heap memory',
            }
          : {
              goals: ['coreDumps'],
              call: flagsCall,
              outcome: 'failed',
              errno: result >>> 0,
              errnoName: hresult(result),
              detail: `WER refused (HRESULT ${hresult(result)})`,
            },
      );
    }
    const excludeCall = 'WerRegisterExcludedMemoryBlock(each live secret mapping)';
    if (!exclude)
      steps.push(
        unavailable(
          ['coreDumps'],
          excludeCall,
          'kernel32 has no WerRegisterExcludedMemoryBlock here (Windows 10 and later have it)',
        ),
      );
    else {
      const mappings = liveSecretMappings();
      let registered = 0;
      let failure: number | undefined;
      for (const { address, length } of mappings.slice(0, MAX_EXCLUDED_BLOCKS)) {
        const result = exclude(address, length) as number;
        if (result === 0) registered++;
        else failure ??= result;
      }
      const left = mappings.length - registered;
      steps.push({
        goals: ['coreDumps'],
        call: excludeCall,
        outcome: left === 0 ? 'applied' : 'failed',
        detail:
          `${registered} of ${mappings.length} live secret ` +
          `mappings left out of error ` +
          `reports${left > 0 ? ` (WER keeps at most ${MAX_EXCLUDED_BLOCKS})` : ''}; secrets made ` +
          `later are not registered`,
        ...(failure !== undefined && { errno: failure >>> 0, errnoName: hresult(failure) }),
      });
    }
  }
  if (goals.includes('debuggers')) {
    steps.push(
      unavailable(['debuggers'], 'none', 'Windows has no call by which a process keeps debuggers from attaching'),
    );
  }
  return steps;
}
