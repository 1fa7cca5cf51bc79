// Wall time of each phase of a run, printed at the end and kept in the results (`phaseSeconds`):
// where a run's minutes go, so that trimming `--quick` trims what takes the time.
import { nowMs, progress } from './common.mjs';

const spans = [];
const started = nowMs();

/** Runs `work` as the phase `name`, recording its wall time. */
export async function timed(name, work) {
  const start = nowMs();
  try {
    return await work();
  } finally {
    spans.push([name, (nowMs() - start) / 1000]);
  }
}

/** Each phase's seconds, and the whole run's so far (`total`, set-up and gaps included). */
export function phaseSeconds() {
  return { ...Object.fromEntries(spans.map(([name, seconds]) => [name, Number(seconds.toFixed(1))])), total: Number(((nowMs() - started) / 1000).toFixed(1)) };
}

export function printPhases() {
  const seconds = phaseSeconds();
  progress(`phase wall times: ${Object.entries(seconds).map(([name, s]) => `${name} ${s} s`).join(', ')}`);
}
