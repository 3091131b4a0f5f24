import { Command, CommanderError } from 'commander';
import { BatonError } from '../core/errors.ts';
import { registerCatalog } from './commands/catalog.ts';
import { registerDashboard } from './commands/dashboard.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDeploy } from './commands/deploy.ts';
import { registerDev } from './commands/dev.ts';
import { registerEvents } from './commands/events.ts';
import { registerInit } from './commands/init.ts';
import { registerInvoke } from './commands/invoke.ts';
import { registerJobs } from './commands/jobs.ts';
import { registerLogs } from './commands/logs.ts';
import { registerMap } from './commands/map.ts';
import { registerObjects } from './commands/objects.ts';
import { registerParams } from './commands/params.ts';
import { registerProvision } from './commands/provision.ts';
import { registerQuery } from './commands/query.ts';
import { registerQueues } from './commands/queues.ts';
import { registerRuns } from './commands/runs.ts';
import { registerSchedules } from './commands/schedules.ts';
import { registerSynth } from './commands/synth.ts';
import { registerTables } from './commands/tables.ts';
import { registerTopics } from './commands/topics.ts';
import { errorJson } from './output.ts';

// `baton queues | head -1`: once the reader is gone there is nobody to tell anything; exit quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/** --json was asked for (read from argv as well, for errors commander finds before options are parsed). */
function wantsJson(): boolean {
  const args = process.argv.slice(2);
  const end = args.indexOf('--');
  return (program.opts<{ json?: boolean }>().json ?? false) || (end < 0 ? args : args.slice(0, end)).includes('--json');
}

const program = new Command('baton')
  .description('Baton: serverless data pipelines whose long jobs never hit a time limit and lose no record.')
  .option('-c, --config <file>', 'the app definition', 'baton.config.ts')
  .option('-b, --backend <name>', 'where the app runs: local or aws (default $BATON_BACKEND, else local)')
  .option('-d, --dir <dir>', 'local: state directory (default $BATON_DIR or .baton)')
  .option('--region <region>', 'aws: the region (default $AWS_REGION)')
  .option('--endpoint <url>', 'aws: one endpoint for every service, e.g. an emulator at http://127.0.0.1:4566 (default $AWS_ENDPOINT_URL)')
  .option('--json', 'machine-readable output')
  .showHelpAfterError()
  .exitOverride()
  // With --json, commander's own errors (unknown command or option) and the help after them are
  // left out: the catch below prints the error as JSON.
  .configureOutput({ writeErr: (text) => (wantsJson() ? undefined : process.stderr.write(text)) });

registerInit(program);
registerDemo(program);
registerDev(program);
registerDashboard(program);
registerProvision(program);
registerQueues(program);
registerParams(program);
registerObjects(program);
registerTables(program);
registerTopics(program);
registerSchedules(program);
registerInvoke(program);
registerEvents(program);
registerRuns(program);
registerLogs(program);
registerJobs(program);
registerMap(program);
registerQuery(program);
registerCatalog(program);
registerSynth(program);
registerDeploy(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Already printed by commander (help, version, a usage error), unless --json: then as JSON.
    if (err.exitCode !== 0 && !err.code.startsWith('commander.help') && wantsJson()) console.error(errorJson(err));
    process.exitCode = err.exitCode;
  } else {
    // Baton's errors already say what happened and what to do; anything else is a bug worth a stack.
    console.error(wantsJson() ? errorJson(err) : err instanceof BatonError ? `error: ${err.message}` : err);
    process.exitCode = 1;
  }
}
