// bench/memory-breakdown.ts's probe: a worker loaded with one of the csv-pipeline's handlers (its
// imports: baton/handler, the schema, zod), answering with the v8 heap of its thread.
import { getHeapStatistics } from 'node:v8';
import { handler as load } from '../../examples/csv-pipeline/handlers/load.ts';

export const handler = async (): Promise<{ usedHeapMb: number; totalHeapMb: number; loaded: boolean }> => {
  const h = getHeapStatistics();
  return { usedHeapMb: Math.round(h.used_heap_size / 1048576), totalHeapMb: Math.round(h.total_heap_size / 1048576), loaded: typeof load === 'function' };
};
