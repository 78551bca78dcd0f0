/**
 * ffprobe argv (without the binary). `-count_packets` counts frames exactly without decoding, by
 * reading the whole file; `countPackets: false` reads the headers only (the caller knows the count).
 */
export function probeArgs(path: string, options: { countPackets?: boolean } = {}): string[] {
  return [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    ...(options.countPackets === false ? [] : ['-count_packets']),
    inputPathArg(path),
  ];
}

/**
 * An absolute path is passed as-is; a relative one that could read as a protocol (`a:b.mov`)
 * gets the `file:` prefix so ffmpeg never treats it as a URL.
 */
export function inputPathArg(path: string): string {
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) return path;
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(path) ? `file:${path}` : path;
}
