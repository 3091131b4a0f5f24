import { runJobStoreConformance } from '../conformance/jobs.ts';
import { makeLocalBackend } from '../helpers/local.ts';

runJobStoreConformance('local', () => makeLocalBackend());
