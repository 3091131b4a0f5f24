import { runRunStoreConformance } from '../conformance/runs.ts';
import { makeLocalBackend } from '../helpers/local.ts';

runRunStoreConformance('local', () => makeLocalBackend());
