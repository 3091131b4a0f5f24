// npm run bench -- csv-pipeline
//
// The full seed-004 pipeline (558,000 rows x 16 columns; 40 malformed, 12 poison) end to end on the
// embedded backend, from the upload to the moment everything has settled: cleaned in DuckDB, sent
// in batches through the load queue, written to the table, streamed to the process queue,
// processed, sent through the finished queue and updated. All five functions run in worker
// threads under the engine, as `baton dev` runs them.
//
// Beside it, in the same run, the baselines, each part in a process of its own
// (bench/csv-pipeline-part.ts), one after the other:
//   end_to_end_s   seconds, pipeline vs the same rows through a plain single-process loop doing the
//                  same cleaning and the same table writes (bench/csv-pipeline-loop.ts)
//   rows_per_s     input rows per second, pipeline vs loop
//   floor_ratio    seconds, pipeline vs sqlite_floor: the plain SQLite writes of the table alone
//                  (bench/csv-pipeline-floor.ts; issue 15: goal at most 1.5x)
//   sqlite_floor_s seconds of those plain writes, vs the loop
//   peak_rss_mb    the most memory the pipeline's process held (every thread, the input CSV too),
//                  vs the loop's process
//
// BATON_BENCH_PROFILE=<dir> runs the pipeline's process with --cpu-prof into <dir> (the engine's
// thread and every worker thread write a .cpuprofile when they end).
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report } from './report.ts';

interface Part {
  seconds: number;
  peakRssMb: number;
  rows: number;
  clean: number;
  malformed: number;
  poison: number;
}

const here = dirname(fileURLToPath(import.meta.url));
const load0 = loadavg()[0]!;

function part(name: 'pipeline' | 'loop' | 'floor'): Part {
  const profile = name === 'pipeline' && process.env.BATON_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BATON_BENCH_PROFILE}`] : [];
  const out = execFileSync(process.execPath, [...profile, '--import', 'tsx', join(here, 'csv-pipeline-part.ts'), name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  const last = out.trim().split('\n').at(-1)!;
  return JSON.parse(last) as Part;
}

const ours = part('pipeline');
const base = part('loop');
const least = part('floor');
report(
  [
    { bench: 'csv-pipeline', figure: 'end_to_end_s', value: ours.seconds, unit: 's', baseline: base.seconds, goal: '< 10' },
    { bench: 'csv-pipeline', figure: 'rows_per_s', value: ours.rows / ours.seconds, unit: 'rows/s', baseline: base.rows / base.seconds },
    { bench: 'csv-pipeline', figure: 'floor_ratio', value: ours.seconds, unit: 's', baseline: least.seconds, goal: 'ratio <= 1.5' },
    { bench: 'csv-pipeline', figure: 'sqlite_floor_s', value: least.seconds, unit: 's', baseline: base.seconds },
    { bench: 'csv-pipeline', figure: 'peak_rss_mb', value: ours.peakRssMb, unit: 'MB', baseline: base.peakRssMb, goal: '<= 512' },
  ],
  [
    `sqlite_floor_s: the table writes alone, plainly (${ours.clean} rows: INSERT ... ON CONFLICT DO UPDATE with its stream record, then the same updated; 400 a transaction, sequence from a counter), against the loop.`,
    `peak_rss_mb: maxRSS of the pipeline's process (engine, workers and the generated input), against the loop's process.`,
    `${ours.rows} rows (${ours.clean} clean, ${ours.malformed} malformed, ${ours.poison} poison); load average ${load0.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.`,
  ],
);
