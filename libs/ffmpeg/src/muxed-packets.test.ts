import { describe, expect, it } from 'vitest';
import { muxedVideoPackets, reportEnv } from './muxed-packets.js';

// The end of a real report (ffmpeg 5.1, FFREPORT level 40) of a four-output encode.
const report = `[out#0 @ 0x1] some verbose line
Output file #0 (/tmp/o/.sh010_ftrackreview-mp4.mp4.k5.partial.mp4):
  Output stream #0:0 (video): 240 frames encoded; 240 packets muxed (3931118 bytes); 
  Output stream #0:1 (audio): 470 frames encoded (480480 samples); 471 packets muxed (174565 bytes); 
  Total: 711 packets (4105683 bytes) muxed
Output file #1 (/tmp/o/.a (1) b.webm):
  Output stream #1:0 (video): 239 frames encoded; 239 packets muxed (3606021 bytes); 
Output file #2 (/tmp/o/.sh010_thumbnail.jpg.k5.partial.jpg):
  Output stream #2:0 (video): 1 frames encoded; 1 packets muxed (16248 bytes); 
Output file #3 (/tmp/o/audio-only.m4a):
  Output stream #3:0 (audio): 470 frames encoded (480480 samples); 471 packets muxed (174565 bytes); 
`;

describe('muxedVideoPackets', () => {
  it("reads each output's video packets from ffmpeg's final statistics; audio-only outputs have none", () => {
    expect(Object.fromEntries(muxedVideoPackets(report))).toEqual({
      '/tmp/o/.sh010_ftrackreview-mp4.mp4.k5.partial.mp4': 240,
      '/tmp/o/.a (1) b.webm': 239,
      '/tmp/o/.sh010_thumbnail.jpg.k5.partial.jpg': 1,
    });
    expect(muxedVideoPackets('ffmpeg was killed before its statistics').size).toBe(0);
  });

  it('names the report file for FFREPORT with its special characters escaped', () => {
    expect(reportEnv('/tmp/ftrack-encode-abc/ffmpeg-report.log')).toBe('file=/tmp/ftrack-encode-abc/ffmpeg-report.log:level=40');
    expect(reportEnv('/tmp/a:b\\c%d.log')).toBe('file=/tmp/a\\:b\\\\c%%d.log:level=40');
  });
});
