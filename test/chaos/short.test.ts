// The chaos suite's short version, in the normal test run: 2 kills per example with short lives
// (no life outlasts a lease), the examples side by side. `npm run chaos` is the full version.
import { chaosSuite } from './suite.ts';

chaosSuite('chaos, short', { kills: 2, parallel: true, life: [800, 3000], long: false });
