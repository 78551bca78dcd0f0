// The CLI's entry: starts the source's ffprobe of `encode <movie>` first (finding the binaries
// and spawning takes a few ms), then loads the CLI (program.ts), so the probe runs on another
// core while Node loads and compiles the commands.
import { probeSourceAhead } from './source-ahead.js';

await probeSourceAhead(process.argv.slice(2));
await import('./program.js');
