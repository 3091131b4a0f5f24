import { runMapLedgerConformance } from '../conformance/map-ledger.ts';
import { makeLocalBackend } from '../helpers/local.ts';

runMapLedgerConformance('local', () => makeLocalBackend());
