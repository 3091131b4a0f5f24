#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so baton.config.ts files load without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
