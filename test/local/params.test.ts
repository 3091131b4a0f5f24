import { runParamConformance } from '../conformance/params.ts';
import { makeLocalBackend } from '../helpers/local.ts';

runParamConformance('local', () => makeLocalBackend());
