/**
 * `baton deploy`: `baton synth`, then the AWS CDK CLI's deploy of that cloud assembly
 * (`npx --package aws-cdk@2 cdk deploy --app <out> <stack>`: the CLI installed in the project, else
 * fetched by npx), which uploads the function bundles and creates or updates the
 * stack. Needs AWS credentials (environment, profile or SSO) and a bootstrapped account/region
 * (`npx cdk bootstrap` once). An app with a container executor or routing rule also needs Docker:
 * cdk deploy builds its image (baton synth does not). Not run by Baton's tests: there is no AWS
 * account offline.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.ts';
import { printSynth, runSynth, synthOptions, type SynthFlags } from './synth.ts';

function hasCredentials(env: NodeJS.ProcessEnv): boolean {
  if (env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) return true;
  const dir = join(homedir(), '.aws');
  return existsSync(join(dir, 'credentials')) || existsSync(join(dir, 'config'));
}

export function registerDeploy(program: Command): void {
  synthOptions(program.command('deploy').description('synth, then `npx --package aws-cdk@2 cdk deploy --app <out>` (needs AWS credentials and a bootstrapped account)'))
    .option('--require-approval <level>', "passed to cdk deploy: never, any-change or broadening", 'broadening')
    .action(async (flags: SynthFlags & { requireApproval: string }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<{ config?: string; json?: boolean }>();
      if (!hasCredentials(process.env)) {
        throw new ValidationError('baton deploy found no AWS credentials.', { action: 'Set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and AWS_REGION, or run `baton synth` and deploy the assembly yourself.' });
      }
      const result = await runSynth(globals.config, flags);
      printSynth(result, false);
      if (result.images > 0 && spawnSync('docker', ['--version'], { stdio: 'ignore' }).status !== 0) {
        throw new ValidationError(`baton deploy: the stack has ${result.images} container image${result.images === 1 ? '' : 's'} (the container executor) for cdk deploy to build, and no working docker command was found.`, { action: 'Install and start Docker (or deploy from a machine or CI runner that has it); the synthesized assembly is in ' + result.out + '.' });
      }
      const args = ['--package', 'aws-cdk@2', 'cdk', 'deploy', '--app', result.out, result.stackName, '--require-approval', flags.requireApproval];
      console.log(`running: npx ${args.join(' ')}`);
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn('npx', args, { stdio: 'inherit' });
        child.on('error', reject);
        child.on('exit', (c) => resolve(c ?? 1));
      });
      if (code !== 0) process.exitCode = code;
    });
}
