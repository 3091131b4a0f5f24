// Summarizes .cpuprofile files (node --cpu-prof): per thread, the wall time sampled, the idle share,
// and the functions with the most self and inclusive time. For writing down where a bench's seconds
// go: `node --import tsx bench/profile-summary.ts <dir> [top]`.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const dir = process.argv[2] ?? '.';
const top = Number(process.argv[3] ?? 25);
const root = process.cwd();

function label(n: Node): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const file = url.startsWith('file://') ? relative(root, new URL(url).pathname) : url || '(native)';
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile')).sort()) {
  const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  let idle = 0;
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const n = byId.get(id)!;
    const name = n.callFrame.functionName;
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
      if (name === '(idle)') idle += dt;
      self.set(name, (self.get(name) ?? 0) + dt);
      return;
    }
    self.set(label(n), (self.get(label(n)) ?? 0) + dt);
    const url = n.callFrame.url;
    const file = url.startsWith('file://') ? relative(root, new URL(url).pathname).replace(/^node_modules\/([^/]+).*/, 'node_modules/$1') : url ? url : '(native)';
    files.set(file, (files.get(file) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const l = label(byId.get(at)!);
      if (seen.has(l)) continue;
      seen.add(l);
      incl.set(l, (incl.get(l) ?? 0) + dt);
    }
  });
  const show = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${(v / 1000).toFixed(2).padStart(7)} s  ${k}`)
      .join('\n');
  console.log(`\n== ${f}: ${(total / 1000).toFixed(2)} s sampled, ${(idle / 1000).toFixed(2)} s idle, ${((total - idle) / 1000).toFixed(2)} s busy`);
  console.log(` self time by file:\n${show(files, 12)}`);
  console.log(` self time by function:\n${show(self, top)}`);
  console.log(` inclusive time:\n${show(incl, top)}`);
}
