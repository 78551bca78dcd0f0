import { describe, expect, it } from 'vitest';
import { Burnins, type PlannedOutput, type ResolvedBurnins } from '@ftrack-encode/core';
import { burninFilters, DEFAULT_BURNIN_FONT, drawtextText } from './burnin-filters.js';

const style = (over: Record<string, unknown> = {}): ResolvedBurnins => {
  const { fields: _fields, outputs: _outputs, ...rest } = Burnins.parse({ fields: [{ position: 'top', text: 'x' }], ...over });
  return { ...rest, fields: [] };
};

describe('burn-in filters', () => {
  it("escapes drawtext's own expansion: literal % and \\, frame numbers and timecode as %{eif}", () => {
    expect(drawtextText([{ kind: 'text', text: '100% \\ done' }])).toBe('100\\% \\\\ done');
    expect(drawtextText([{ kind: 'frame', start: 1001, pad: 4 }])).toBe('%{eif:n+1001:d:4}');
    expect(drawtextText([{ kind: 'timecode', start: '01:00:00:12', rate: 24 }])).toBe(
      '%{eif:mod(floor((n+86412)/86400),24):d:2}:%{eif:mod(floor((n+86412)/1440),60):d:2}:%{eif:mod(floor((n+86412)/24),60):d:2}:%{eif:mod((n+86412),24):d:2}',
    );
  });

  it('one drawtext per field, sized to the output, placed by position, every text escaped for the graph', () => {
    const planned = {
      height: 720,
      burnins: {
        ...style({ shadow: true }),
        fields: [
          { position: 'bottom-right', segments: [{ kind: 'text', text: "it's: [a], b; c" }] },
          { x: 0.25, y: 0.5, segments: [{ kind: 'text', text: 'mid' }] },
        ],
      },
    } as Pick<PlannedOutput, 'height' | 'burnins'>;
    const [corner, free] = burninFilters(planned);
    expect(corner).toContain(`fontfile=${DEFAULT_BURNIN_FONT}`);
    // level 2 escapes ' and :, level 1 then escapes \ ' [ ] , ;
    expect(corner).toContain("text=it\\\\\\'s\\\\: \\[a\\]\\, b\\; c");
    expect(corner).toContain('fontsize=25');
    expect(corner).toContain('x=w-text_w-15:y=h-text_h-15');
    expect(corner).toContain('box=1:boxcolor=black@0.5');
    expect(corner).toContain('shadowcolor=black@0.8');
    expect(free).toContain('x=0.25*w:y=0.5*h');
    expect(burninFilters({ height: 720 })).toEqual([]);
  });
});
