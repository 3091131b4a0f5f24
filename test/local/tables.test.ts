import { runTableConformance } from '../conformance/tables.ts';
import { makeLocalBackend } from '../helpers/local.ts';

runTableConformance('local', () => makeLocalBackend());
