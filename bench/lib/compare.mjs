// --compare: this run against an earlier one (bench/baseline.json), case by case. A case has
// regressed when memshield's median time grew by more than the noise band AND, where the case
// has a floor or sodium side, its median per-round ratio to that side grew by more than the band
// too: a machine that is slower as a whole (load, another VM host) moves the time but not the
// ratio, which both sides of a round share.
import { formatTime } from './report.mjs';

/**
 * The default band: the largest growth --compare would see between two runs of the same build,
 * measured 2026-12-05 on the 2-core VM under the load of four other engineers' suites (83 %,
 * write 1 KiB; bench/README.md). On a quiet machine pass a smaller --band.
 */
export const NOISE_BAND = 0.85;

const percent = (change) => (change === undefined ? '—' : `${change >= 0 ? '+' : ''}${(change * 100).toFixed(0)} %`);
const growth = (before, after) =>
  before > 0 && Number.isFinite(before) && Number.isFinite(after) ? after / before - 1 : undefined;

/** The side memshield is judged against: the floor where there is one, else sodium-native. */
function reference(result) {
  if (result.ratio?.floor) return 'floor';
  if (result.ratio?.sodium) return 'sodium';
  return undefined;
}

/**
 * Compares each case of `after` with the same case of `before`.
 * @returns {{ lines: string[], regressions: string[] }} a Markdown table and the ids that regressed
 */
export function compareReports(before, after, band = NOISE_BAND) {
  const earlier = new Map(before.cases.map((result) => [result.id, result]));
  const lines = [
    `Compared with ${before.machine?.commit ?? '?'} of ${before.date ?? '?'}; a regression is a change beyond ` +
      `+${Math.round(band * 100)} % in time and, where there is one, in the ratio to the floor (or sodium).`,
    '',
    '| case | before | after | change | × ref before → after | change | verdict |',
    '|---|---|---|---|---|---|---|',
  ];
  const regressions = [];
  for (const result of after.cases) {
    const old = earlier.get(result.id);
    if (!old || old.skipped || old.error || result.skipped || result.error) {
      lines.push(
        `| ${result.title} | ${old ? (old.skipped ? 'skipped' : old.error ? 'failed' : '') : 'new case'} ` +
          `| ${result.skipped ? 'skipped' : result.error ? 'failed' : ''} | | | | — |`,
      );
      continue;
    }
    if (result.kind === 'count') {
      const change = growth(old.counts.memshield, result.counts.memshield);
      const worse = change !== undefined && change < -band;
      if (worse) regressions.push(result.id);
      lines.push(
        `| ${result.title} | ${old.counts.memshield} | ${result.counts.memshield} ` +
          `| ${percent(change)} | | | ${worse ? 'REGRESSED' : 'ok'} |`,
      );
      continue;
    }
    const timeChange = growth(old.memshield.median, result.memshield.median);
    const side = reference(result);
    const ratioBefore = side && old.ratio?.[side]?.median;
    const ratioAfter = side && result.ratio[side].median;
    const ratioChange = ratioBefore ? growth(ratioBefore, ratioAfter) : undefined;
    const worse = timeChange !== undefined && timeChange > band && (ratioChange === undefined || ratioChange > band);
    if (worse) regressions.push(result.id);
    const ratioCell =
      ratioChange === undefined ? '—' : `${ratioBefore.toFixed(2)} → ${ratioAfter.toFixed(2)} (${side})`;
    lines.push(
      `| ${result.title} | ${formatTime(old.memshield.median)} | ${formatTime(result.memshield.median)} | ` +
        `${percent(timeChange)} | ${ratioCell} | ${percent(ratioChange)} | ${worse ? 'REGRESSED' : 'ok'} |`,
    );
  }
  lines.push(
    '',
    regressions.length
      ? `Regressed beyond the noise band: ${regressions.join(', ')}.`
      : 'No case regressed beyond the noise band.',
  );
  return { lines, regressions };
}
