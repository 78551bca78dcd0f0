/** Shell-quote one argument for display (POSIX sh). Never executed: ffmpeg always runs with an argv array. */
export function shellQuote(arg: string): string {
  if (arg.length > 0 && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line a user can read and paste (for --dry-run). */
export function formatCommandLine(args: readonly string[]): string {
  return args.map(shellQuote).join(' ');
}
