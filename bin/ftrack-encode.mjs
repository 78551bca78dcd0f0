#!/usr/bin/env node
// Entry point for `npx ftrack-encode`: runs the bundled CLI, (re)building it first when
// the sources are newer than the bundle, so a fresh clone needs no separate build step.
import { runBundle } from './run-bundle.mjs';

await runBundle('cli');
