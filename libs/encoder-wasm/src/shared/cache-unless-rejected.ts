/**
 * `start()` once, its promise shared by every caller while it is pending or fulfilled; a rejection
 * is forgotten, so the next call starts again (a core that failed to load is not a build without
 * codecs). No Node or DOM API: both backends use it.
 */
export function cacheUnlessRejected<T>(start: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () => {
    if (cached) return cached;
    const started = start();
    cached = started;
    started.catch(() => {
      if (cached === started) cached = undefined;
    });
    return started;
  };
}
