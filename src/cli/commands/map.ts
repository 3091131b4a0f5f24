import { Option, type Command } from 'commander';
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ValidationError } from '../../core/errors.ts';
import type { MapProgress, MapSource } from '../../runtime/map/index.ts';
import { splitCsvLine } from '../../runtime/map/csv.ts';
import { printValue } from '../output.ts';
import { withSession } from '../session.ts';

interface MapCliOptions {
  prefix?: string;
  items?: string;
  redrive?: string;
  id?: string;
  concurrency?: number;
  batchSize?: number;
  retries?: number;
  toleratedFailures?: string;
  /** The old name of --tolerated-failures: refused with the new one. */
  tolerate?: string;
}

/** Items from a local file: a JSON array (.json), JSON lines (.jsonl), or CSV rows (.csv), streamed. */
function fileItems(path: string): MapSource {
  if (path.endsWith('.json')) {
    const items: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!Array.isArray(items)) throw new ValidationError(`--items ${path}: the file holds no JSON array.`, { action: 'Use a JSON array, JSON lines (.jsonl) or CSV (.csv).' });
    return items;
  }
  const csv = path.endsWith('.csv');
  return (async function* () {
    let header: string[] | undefined;
    let n = 0;
    for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      n++;
      if (!line.trim()) continue;
      if (!csv) yield JSON.parse(line) as unknown;
      else if (!header) header = splitCsvLine(line, `${path} line ${n}`);
      else {
        const cells = splitCsvLine(line, `${path} line ${n}`);
        yield Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
      }
    }
  })();
}

function whole(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ValidationError(`${JSON.stringify(v)} must be a whole number.`);
  return n;
}

/** A progress bar on stderr: rewritten in place on a terminal, a line per 10% otherwise. */
function progressBar(): { update(p: MapProgress): void; end(): void } {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  let lastDraw = 0;
  const render = (p: MapProgress) => {
    const ended = p.succeeded + p.failed;
    const frac = p.total ? ended / p.total : 0;
    const bar = '#'.repeat(Math.round(frac * 30)).padEnd(30, '-');
    return `[${bar}] ${Math.floor(frac * 100)}% ${ended}/${p.total}  ok ${p.succeeded}  failed ${p.failed}  running ${p.running}`;
  };
  return {
    update(p) {
      const tenth = Math.floor(p.total ? ((p.succeeded + p.failed) / p.total) * 10 : 0);
      if (tty) {
        if (Date.now() - lastDraw < 100 && p.status === 'running') return;
        lastDraw = Date.now();
        process.stderr.write(`\r${render(p)}`);
      } else if (tenth !== lastTenth || p.status !== 'running') {
        lastTenth = tenth;
        process.stderr.write(`${render(p)}\n`);
      }
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

export function registerMap(program: Command): void {
  program
    .command('map')
    .description('runs a function over many items with bounded concurrency, durably (a restart resumes); results and failures go to objects')
    .argument('<fn>', 'the function')
    .option('--prefix <bucket/prefix>', 'one item per object under the prefix')
    .option('--items <file>', 'items from a JSON array (.json), JSON lines (.jsonl) or CSV (.csv) file')
    .option('--redrive <id>', 'runs only the failed items of a finished map again')
    .option('--id <id>', 'the map id: the same id resumes a map (default: a fresh one)')
    .option('--concurrency <n>', 'invocations at once', whole)
    .option('--batch-size <n>', 'items per invocation', whole)
    .option('--retries <n>', 'retries per item', whole)
    .option('--tolerated-failures <n|p%>', "failed items tolerated before the map stops, a count or a percentage (the map option toleratedFailures, Step Functions' ToleratedFailureCount/Percentage)")
    .addOption(new Option('--tolerate <n|p%>').hideHelp())
    .action(async (fnName: string, o: MapCliOptions, cmd: Command) => {
      if (o.tolerate !== undefined) throw new ValidationError('--tolerate was renamed --tolerated-failures (as the map option toleratedFailures).', { action: `Run it again with --tolerated-failures ${o.tolerate}.` });
      const given = [o.prefix, o.items, o.redrive].filter((x) => x !== undefined).length;
      if (given !== 1) throw new ValidationError('Give exactly one of --prefix <bucket/prefix>, --items <file> or --redrive <id>.');
      let source: MapSource | undefined;
      if (o.prefix !== undefined) {
        const slash = o.prefix.indexOf('/');
        source = { bucket: slash < 0 ? o.prefix : o.prefix.slice(0, slash), prefix: slash < 0 ? '' : o.prefix.slice(slash + 1) };
      } else if (o.items !== undefined) source = fileItems(o.items);
      const t = o.toleratedFailures;
      const tolerate = t === undefined ? undefined : t.endsWith('%') ? (t as `${number}%`) : whole(t);
      await withSession(cmd, async ({ app, json }) => {
        const bar = progressBar();
        const options = {
          ...(o.id ? { id: o.id } : {}),
          ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
          ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
          ...(o.retries !== undefined ? { retries: o.retries } : {}),
          ...(tolerate !== undefined ? { toleratedFailures: tolerate } : {}),
          ...(json ? {} : { onProgress: (p: MapProgress) => bar.update(p) }),
        };
        const summary = o.redrive !== undefined ? await app.redriveMap(o.redrive, options) : await app.map(fnName, source!, options);
        bar.end();
        if (json) printValue(summary, true);
        else {
          const out = summary.outputs;
          console.log(`map ${summary.id}: ${summary.status} (${summary.counts.succeeded} succeeded, ${summary.counts.failed} failed of ${summary.counts.total})`);
          if (out) console.log(`manifest ${out.manifest.bucket}/${out.manifest.key}; failures ${out.failed.bucket}/${out.failed.key}`);
          if (summary.error) console.log(summary.error.message);
        }
        if (summary.status !== 'succeeded') process.exitCode = 1;
      });
    });
}
