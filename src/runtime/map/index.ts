export { map, resumeMap, redriveMap, mapProgress, type MapDeps, type MapSummary } from './coordinator.ts';
export type { MapOptions, MapProgress } from './options.ts';
export type { MapSource } from './sources.ts';
export type { MapOutputs } from './outputs.ts';
