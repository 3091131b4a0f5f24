/**
 * One engine process for the chaos harness: `baton dev` through the CLI bin (bin/baton.mjs, as a
 * user runs it) on a state directory. States: starting (spawned, loading the config and checking
 * handlers) -> running (it printed "running (") -> dead (SIGKILLed by the harness, or stopped with
 * SIGTERM at the end, or exited by itself: an error the harness reports with the output's tail).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
export const bin = join(root, 'bin', 'baton.mjs');
/** The params key every process of a chaos run shares (the engine's handlers and the harness's checks). */
export const paramsKey = Buffer.alloc(32, 7);

/** Every engine still alive, so a failed test kills them all (afterAll / finally). */
const live = new Set<EngineProcess>();
/** Set by killAll: a scenario still running after its test timed out starts no new engine. */
let closed = false;
// Whatever way this process ends, it leaves no engine behind (an orphan would hold its state's leases).
process.once('exit', () => {
  for (const e of live) e.child.kill('SIGKILL');
});

export interface EngineOptions {
  config: string;
  state: string;
  /** Extra environment for the engine and its handlers. */
  env?: Record<string, string>;
  /** A name for reports and errors ('A', 'B'). */
  name?: string;
  /** The command after the global flags. @defaultValue ['dev', '--deadline', '2s'] */
  args?: string[];
}

export class EngineProcess {
  readonly child: ChildProcess;
  readonly started = performance.now();
  /** When it printed "running (", ms after spawn. */
  readyMs: number | undefined;
  private tail = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly ready: Promise<void>;

  constructor(readonly options: EngineOptions) {
    this.child = spawn(process.execPath, [bin, '--config', options.config, '--dir', options.state, ...(options.args ?? ['dev', '--deadline', '2s'])], {
      cwd: root,
      env: { ...process.env, BATON_PARAMS_KEY: paramsKey.toString('base64'), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        live.delete(this);
        resolve({ code, signal });
      }),
    );
    this.ready = new Promise<void>((resolve, reject) => {
      const on = (d: Buffer) => {
        this.tail = (this.tail + d.toString()).slice(-8000);
        if (this.readyMs === undefined && this.tail.includes('running (')) {
          this.readyMs = performance.now() - this.started;
          resolve();
        }
      };
      this.child.stdout!.on('data', on);
      this.child.stderr!.on('data', on);
      void this.exited.then(({ code, signal }) => reject(new Error(`engine ${this.name} (pid ${this.pid}) ended before it ran (${signal ?? `code ${code}`}): ${this.output()}`)));
    });
    // A kill before "running" is a kill like any other: the ready promise's rejection is read by whoever waits on it.
    this.ready.catch(() => undefined);
  }

  get name(): string {
    return this.options.name ?? 'engine';
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last few KB it printed (stdout and stderr). */
  output(): string {
    return this.tail;
  }

  /** SIGKILL, as a crash: nothing runs after it; resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful: in-flight work finishes within the deadline), then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export function startEngine(options: EngineOptions): EngineProcess {
  if (closed) throw new Error(`no new engine (${options.name ?? 'engine'}): the chaos run is over (timed out or failed).`);
  return new EngineProcess(options);
}

/** SIGKILLs every engine this process started and has not seen end, and refuses new ones. */
export async function killAll(): Promise<void> {
  closed = true;
  await Promise.all([...live].map((e) => e.kill()));
}
