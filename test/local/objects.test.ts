import { runObjectConformance } from '../conformance/objects.ts';
import { makeLocalBackend } from '../helpers/local.ts';

runObjectConformance('local', () => makeLocalBackend());
