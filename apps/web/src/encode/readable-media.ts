import { EncodeError, type MediaInfo } from '@ftrack-encode/core';

/**
 * ffmpeg reads any text file as "ANSI art" (tty demuxer, 640x400 video), so a .txt or .csv
 * probes as a movie. Those codecs are never production media: refuse them up front.
 */
const TEXT_AS_VIDEO_CODECS = new Set(['ansi', 'bintext', 'xbin', 'idf']);

export function assertReadableMedia(fileName: string, info: MediaInfo): void {
  if (TEXT_AS_VIDEO_CODECS.has(info.codec) || /(^|,)tty(,|$)/.test(info.format)) {
    throw new EncodeError('E_SOURCE_UNREADABLE', `${fileName} is text (ffmpeg reads it as ${info.codec} art), not a movie or an image.`, {
      details: { format: info.format, codec: info.codec },
    });
  }
}
