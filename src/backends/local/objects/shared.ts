/** What every part of the local object store works with. */
import type { LocalContext } from '../context.ts';
import type { Layout } from './layout.ts';
import type { Queries } from './queries.ts';

export interface ObjectsState {
  ctx: LocalContext;
  q: Queries;
  layout: Layout;
}
