// "Media": pick or drop one movie or image (or several images: one sequence), watch the encode, cancel it.
import type { Progress, SegmentsSetting } from '@ftrack-encode/core';
import { h, option } from './dom.js';

const STAGE_TEXT: Partial<Record<Progress['stage'], string>> = {
  probe: 'Loading ffmpeg.wasm and reading the file…',
  encode: 'Encoding the review movie and thumbnail…',
  validate: 'Checking the encoded files…',
};

export class MediaView {
  readonly element: HTMLElement;
  readonly input: HTMLInputElement;
  private readonly segmentsSelect: HTMLSelectElement;
  private readonly dropZone: HTMLElement;
  private readonly progressBox: HTMLElement;
  private readonly progress: HTMLProgressElement;
  private readonly progressText: HTMLElement;
  private readonly cancel: HTMLButtonElement;
  private lastAnnounced = '';

  constructor(
    private readonly handlers: { onFiles: (files: File[]) => void; onCancel: () => void; announce: (text: string) => void },
    threadsNote: string,
    segmentWorkers: number,
  ) {
    this.input = h('input', {
      id: 'media-file',
      name: 'media',
      type: 'file',
      multiple: true,
      accept: 'video/*,image/*,.mov,.mxf,.exr,.dpx,.mkv',
      'aria-describedby': 'media-help',
    });
    this.dropZone = h(
      'div',
      { class: 'drop-zone', id: 'drop-zone' },
      h('label', { for: 'media-file' }, 'Movie, image, or image sequence'),
      this.input,
      h(
        'p',
        { id: 'media-help', class: 'help' },
        'Choose a file, or drop it on this box; for an image sequence pick all its frames (shot.1001.png, shot.1002.png, …). It is encoded in this tab: nothing is uploaded until you publish. ',
        threadsNote,
      ),
    );
    const counts = Array.from({ length: Math.max(4, segmentWorkers) }, (_, i) => i + 1);
    this.segmentsSelect = h(
      'select',
      { id: 'segments', name: 'segments', 'aria-describedby': 'segments-help' },
      option('auto', `Auto (up to ${segmentWorkers})`),
      ...counts.map((n) => option(String(n), n === 1 ? '1 (one pass)' : String(n))),
    );
    this.progress = h('progress', { id: 'encode-progress', max: 100, 'aria-labelledby': 'progress-label' });
    this.progressText = h('span', { id: 'progress-label' }, '');
    this.cancel = h('button', { type: 'button', id: 'cancel-encode', class: 'secondary' }, 'Cancel encode');
    this.progressBox = h('div', { class: 'progress', id: 'progress-box', hidden: true }, this.progressText, this.progress, this.cancel);
    this.element = h(
      'section',
      { id: 'media', class: 'panel', 'aria-labelledby': 'media-title' },
      h('h2', { id: 'media-title' }, 'Media'),
      h('fieldset', {}, h('legend', {}, 'File to encode'), this.dropZone),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Encoding'),
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'segments' }, 'Segments'),
          this.segmentsSelect,
          h(
            'p',
            { id: 'segments-help', class: 'help' },
            `A long clip is cut into parts encoded at once, each by its own ffmpeg.wasm worker, then joined without re-encoding. Auto splits clips of 10 s or more, one part per core (up to ${segmentWorkers} here).`,
          ),
        ),
      ),
      this.progressBox,
    );
    this.input.addEventListener('change', () => {
      const files = [...(this.input.files ?? [])];
      if (files.length > 0) handlers.onFiles(files);
    });
    this.cancel.addEventListener('click', () => handlers.onCancel());
    this.wireDrop();
  }

  /** The segments setting chosen for the next encode. */
  get segments(): SegmentsSetting {
    return this.segmentsSelect.value === 'auto' ? 'auto' : Number(this.segmentsSelect.value);
  }

  set enabled(enabled: boolean) {
    this.input.disabled = !enabled;
    this.segmentsSelect.disabled = !enabled;
    this.dropZone.classList.toggle('disabled', !enabled);
  }

  showProgress(progress: Progress): void {
    this.progressBox.hidden = false;
    this.cancel.disabled = false;
    // A segmented encode says so ("2 segments", "joining 2 segments").
    const parts = progress.stage === 'encode' && progress.message?.includes('segments') ? ` (${progress.message})` : '';
    const text = STAGE_TEXT[progress.stage];
    const stage = text ? text.replace(/…$/, `${parts}…`) : (progress.message ?? 'Working…');
    if (progress.percent === undefined) {
      this.progress.removeAttribute('value');
      this.progressText.textContent = stage;
    } else {
      this.progress.value = progress.percent;
      const eta = progress.etaSeconds && progress.etaSeconds > 1 ? `, about ${Math.ceil(progress.etaSeconds)} s left` : '';
      this.progressText.textContent = `${stage} ${Math.floor(progress.percent)} %${eta}`;
    }
    // Screen readers hear each stage and every quarter, not every tick.
    const step = progress.percent === undefined ? -1 : Math.floor(progress.percent / 25);
    const key = `${progress.stage}:${step}`;
    if (key !== this.lastAnnounced) {
      this.lastAnnounced = key;
      this.handlers.announce(progress.percent === undefined ? stage : `${stage} ${Math.floor(progress.percent)} %`);
    }
  }

  hideProgress(): void {
    this.progressBox.hidden = true;
    this.lastAnnounced = '';
  }

  cancelling(): void {
    this.cancel.disabled = true;
    this.progressText.textContent = 'Cancelling…';
  }

  /** Forget the picked file, so picking the same file again starts a new encode. */
  reset(): void {
    this.input.value = '';
  }

  private wireDrop(): void {
    const zone = this.dropZone;
    zone.addEventListener('dragover', (event) => {
      if (this.input.disabled) return;
      event.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      zone.classList.remove('over');
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length > 0 && !this.input.disabled) this.handlers.onFiles(files);
    });
  }
}
