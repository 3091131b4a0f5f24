import { runTableConformance } from '../conformance/tables.ts';
import type { MakeBackend } from '../helpers/backend-factory.ts';
import { makeLocalBackend } from '../helpers/local.ts';

const makeLocal: MakeBackend = () => {
  const t = makeLocalBackend();
  return {
    get backend() {
      return t.backend;
    },
    clock: t.clock,
    reopen: () => t.reopen(),
    close: () => t.close(),
  };
};

runTableConformance('local', makeLocal);
