/**
 * The ONE escaping function for user text that enters an ffmpeg filter graph (burn-in text,
 * file paths given to filters such as movie= or subtitles=).
 *
 * ffmpeg unescapes such a value twice:
 * 1. the filter-graph parser reads each filter's argument string, treating `[ ] , ;` as
 *    separators and `\` and `'` as escape/quote characters;
 * 2. the filter's option parser splits `key=value:key=value`, treating `:` as a separator
 *    (and `=` in keys) and `\` and `'` as escape/quote characters again.
 * So we escape for level 2 first (`\ ' :`), then escape the result for level 1 (`\ ' [ ] , ;`).
 * drawtext applies a third level of its own (`%{...}` expansion): pass `expansion=none` with it.
 */
export function escapeFilterText(text: string): string {
  const optionLevel = text.replace(/[\\':]/g, (c) => `\\${c}`);
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}
