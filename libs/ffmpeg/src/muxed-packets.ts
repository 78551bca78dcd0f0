/**
 * ffmpeg's own account of what it wrote, from its report log (FFREPORT at level 40, verbose): per
 * output file, the packets muxed into its first video stream. Exact — one packet per frame — and
 * known without reading the file back.
 */

/** FFREPORT value for a report at `path` at verbose level ('%' doubled, ':' and '\' escaped as ffmpeg reads them). */
export function reportEnv(path: string): string {
  return `file=${path.replace(/%/g, '%%').replace(/[\\:]/g, (c) => `\\${c}`)}:level=40`;
}

/** Output path -> packets muxed into its first video stream, from the report's final statistics. */
export function muxedVideoPackets(report: string): Map<string, number> {
  const counts = new Map<string, number>();
  let file: string | undefined;
  for (const line of report.split(/\r?\n/)) {
    const output = /^Output file #\d+ \((.*)\):$/.exec(line);
    if (output) {
      file = output[1];
      continue;
    }
    const stream = /^\s+Output stream #\d+:\d+ \(video\): \d+ frames encoded; (\d+) packets muxed/.exec(line);
    if (stream && file !== undefined && !counts.has(file)) counts.set(file, Number(stream[1]));
  }
  return counts;
}
