// "Review and publish": play the encoded movie, show the thumbnail and what each file is,
// then publish them to the chosen version.
import { formatRational } from '@ftrack-encode/core';
import type { PageEncodeResult } from '../encode/page-encoder.js';
import { formatBytes, h } from './dom.js';

export class PreviewView {
  readonly element: HTMLElement;
  readonly publishButton: HTMLButtonElement;
  private readonly heading = h('h2', { id: 'preview-title', tabindex: -1 }, 'Review and publish');
  private readonly source = h('p', { id: 'preview-source', class: 'help' });
  private readonly media = h('div', { class: 'preview-media' });
  private readonly list = h('ul', { id: 'outputs', class: 'outputs' });
  private readonly targetText = h('p', { id: 'publish-target' });
  private readonly progress = h('progress', { id: 'publish-progress', max: 100, 'aria-label': 'Upload progress', hidden: true });
  private readonly result = h('div', { id: 'publish-result' });
  private urls: string[] = [];

  constructor(onPublish: () => void) {
    this.publishButton = h('button', { type: 'button', id: 'publish' }, 'Publish to ftrack');
    this.element = h(
      'section',
      { id: 'preview', class: 'panel', 'aria-labelledby': 'preview-title', hidden: true },
      this.heading,
      this.source,
      this.media,
      this.list,
      this.targetText,
      h('div', { class: 'actions' }, this.publishButton, this.progress),
      this.result,
    );
    this.publishButton.addEventListener('click', onPublish);
  }

  show(result: PageEncodeResult): void {
    this.clear();
    this.source.textContent = `Encoded from ${result.source.name} (${formatBytes(result.source.size)}) with ${result.encoderVersion}.`;
    const video = result.outputs.find((o) => o.output.spec.kind === 'video');
    const images = result.outputs.filter((o) => o.output.spec.kind === 'image');
    if (video) {
      const player = h('video', {
        id: 'preview-video',
        controls: true,
        muted: true,
        playsinline: true,
        src: this.url(video.blob),
        'aria-label': `Encoded review movie of ${result.source.name}`,
      });
      this.media.append(h('figure', {}, player, h('figcaption', {}, `${video.output.name} — what reviewers will play`)));
    }
    for (const image of images) {
      const alt = image.output.name === 'thumbnail' ? `Thumbnail of ${result.source.name}` : `Review image of ${result.source.name}`;
      this.media.append(h('figure', {}, h('img', { src: this.url(image.blob), alt, class: image.output.name }), h('figcaption', {}, image.output.name)));
    }
    for (const { output } of result.outputs) {
      const { info } = output;
      const what =
        output.spec.kind === 'video'
          ? `${info.width}×${info.height}, ${info.frameCount} frames at ${formatRational(info.frameRate)} fps, ${info.codec}`
          : `${info.width}×${info.height} ${info.codec}`;
      this.list.append(h('li', { 'data-output': output.name }, h('strong', {}, output.name), `: ${what}, ${formatBytes(output.size)}`));
    }
    this.element.hidden = false;
  }

  focus(): void {
    this.heading.focus();
  }

  setTarget(description: string | undefined, canPublish: boolean, alreadyPublished = false): void {
    if (!description) this.targetText.textContent = 'Choose where to publish above.';
    else
      this.targetText.textContent = alreadyPublished ? `Published to ${description}; pick another version to publish again.` : `Publishes to ${description}.`;
    this.publishButton.disabled = !canPublish;
  }

  publishing(percent: number | undefined): void {
    this.progress.hidden = false;
    if (percent === undefined) this.progress.removeAttribute('value');
    else this.progress.value = percent;
    this.publishButton.disabled = true;
    this.publishButton.textContent = 'Publishing…';
  }

  published(summary: HTMLElement): void {
    this.progress.hidden = true;
    this.publishButton.textContent = 'Publish to ftrack';
    this.result.replaceChildren(summary);
  }

  publishFailed(): void {
    this.progress.hidden = true;
    this.publishButton.textContent = 'Publish to ftrack';
  }

  hide(): void {
    this.clear();
    this.element.hidden = true;
  }

  private url(blob: Blob): string {
    const url = URL.createObjectURL(blob);
    this.urls.push(url);
    return url;
  }

  private clear(): void {
    for (const url of this.urls) URL.revokeObjectURL(url);
    this.urls = [];
    this.media.replaceChildren();
    this.list.replaceChildren();
    this.result.replaceChildren();
    this.progress.hidden = true;
  }
}
