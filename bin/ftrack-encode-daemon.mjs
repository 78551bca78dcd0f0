#!/usr/bin/env node
import { runBundle } from './run-bundle.mjs';

await runBundle('daemon');
