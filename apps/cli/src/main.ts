// The CLI's entry: starts the source's ffprobe of `encode <movie>` first (finding the binaries
// and spawning takes a few ms), then loads the CLI (program.ts), so the probe runs on another
// core while Node loads and compiles the commands.
import { setFlagsFromString } from 'node:v8';
import { probeSourceAhead } from './source-ahead.js';

// V8's memory reducer shrinks an idle small heap with full GCs from ~8 s after start: in a CLI
// that waits on ffmpeg, three of them (~0.15 s of CPU) took a core from the encode for nothing.
setFlagsFromString('--no-memory-reducer-for-small-heaps');
await probeSourceAhead(process.argv.slice(2));
await import('./program.js');
