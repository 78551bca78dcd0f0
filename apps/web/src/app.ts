// The page's flow: sign in -> choose where -> pick media (encoded in the tab) -> review ->
// publish. `document.body.dataset.state` mirrors where the page is, for styling and tests.
import { isEncodeError } from '@ftrack-encode/core';
import type { PageEncoder, PageEncodeResult } from './encode/page-encoder.js';
import { FtrackClient } from './ftrack/ftrack-client.js';
import { publishReview } from './ftrack/publish-review.js';
import { forgetCredentials, storeCredentials, type Credentials } from './settings.js';
import { h } from './ui/dom.js';
import { MediaView } from './ui/media-view.js';
import { Notices } from './ui/notices.js';
import { PreviewView } from './ui/preview-view.js';
import { SignInView } from './ui/sign-in-view.js';
import { TargetView } from './ui/target-view.js';

export type PageState = 'signed-out' | 'ready' | 'encoding' | 'encoded' | 'publishing' | 'published';

export class App {
  private readonly notices = new Notices();
  private readonly content = h('div', { class: 'content' });
  private client: FtrackClient | undefined;
  private target: TargetView | undefined;
  private media: MediaView | undefined;
  private preview: PreviewView | undefined;
  private encoded: PageEncodeResult | undefined;
  private running: AbortController | undefined;
  /** Versions the current encode was published to: publishing twice would duplicate components. */
  private readonly publishedTo = new Set<string>();

  constructor(
    private readonly root: HTMLElement,
    private readonly encoder: PageEncoder,
    private readonly storage: Storage,
  ) {
    root.replaceChildren(this.notices.error, this.content, this.notices.status);
  }

  showSignIn(initial: Partial<Credentials>, autoSignIn: boolean): void {
    this.state = 'signed-out';
    const form = new SignInView(initial, (credentials) => void this.signIn(credentials, form));
    this.content.replaceChildren(form.element);
    if (autoSignIn && initial.serverUrl && initial.user && initial.apiKey) void this.signIn(initial as Credentials, form);
    else form.focus();
  }

  private set state(state: PageState) {
    document.body.dataset['state'] = state;
  }

  private async signIn(credentials: Credentials, form: SignInView): Promise<void> {
    form.busy = true;
    this.notices.clearError();
    this.notices.say('Signing in…');
    try {
      this.client = await FtrackClient.connect(credentials);
    } catch (error) {
      form.busy = false;
      this.notices.say('');
      this.notices.showError(error);
      return;
    }
    storeCredentials(this.storage, credentials);
    await this.showWorkspace(this.client);
  }

  private async showWorkspace(client: FtrackClient): Promise<void> {
    const signOut = h('button', { type: 'button', id: 'sign-out', class: 'secondary' }, 'Sign out');
    signOut.addEventListener('click', () => this.signOut());
    const account = h('p', { class: 'account' }, `Signed in as ${client.userName} on ${client.credentials.serverUrl}. `, signOut);
    this.target = new TargetView(
      client,
      () => this.targetChanged(),
      (error) => this.notices.showError(error),
    );
    this.media = new MediaView(
      { onFiles: (files) => void this.encode(files), onCancel: () => this.cancel(), announce: (text) => this.notices.say(text) },
      this.encoder.multiThread ? 'This tab encodes with 2 threads.' : 'This tab encodes with 1 thread (the page is not cross-origin isolated).',
      this.encoder.segmentWorkers,
    );
    this.preview = new PreviewView(() => void this.publish());
    this.content.replaceChildren(account, this.target.element, this.media.element, this.preview.element);
    this.state = 'ready';
    try {
      await this.target.load();
      this.notices.say(`Signed in as ${client.userName}. Choose where to publish, then pick a movie or an image.`);
    } catch (error) {
      this.notices.showError(error, false);
    }
    this.target.focus();
  }

  private signOut(): void {
    this.running?.abort();
    forgetCredentials(this.storage);
    const previous = this.client?.credentials;
    this.client = undefined;
    this.encoded = undefined;
    this.notices.clearError();
    this.notices.say('Signed out.');
    this.showSignIn({ serverUrl: previous?.serverUrl ?? location.origin, ...(previous ? { user: previous.user } : {}) }, false);
  }

  private targetChanged(): void {
    const choice = this.target?.target();
    const done = choice?.kind === 'version' && this.publishedTo.has(choice.versionId);
    this.preview?.setTarget(choice?.label, Boolean(choice && this.encoded && !this.running && !done), done);
  }

  private async encode(files: File[]): Promise<void> {
    if (this.running || !this.media || !this.preview) return;
    const controller = new AbortController();
    this.running = controller;
    this.encoded = undefined;
    this.state = 'encoding';
    this.notices.clearError();
    this.preview.hide();
    this.media.enabled = false;
    const label = files.length === 1 ? files[0]!.name : `${files.length} images as a sequence`;
    this.notices.say(`Encoding ${label}…`);
    let result: PageEncodeResult;
    try {
      result = await this.encoder.encode(files, {
        signal: controller.signal,
        segments: this.media.segments,
        onProgress: (p) => this.media?.showProgress(p),
      });
    } catch (error) {
      this.endEncode('ready');
      if (isEncodeError(error, 'E_CANCELLED')) {
        this.notices.say(`Encode of ${label} cancelled. Nothing was published.`);
        this.media.input.focus();
      } else {
        this.notices.say('');
        this.notices.showError(error);
      }
      return;
    }
    this.encoded = result;
    this.publishedTo.clear();
    this.endEncode('encoded');
    this.preview.show(result);
    this.targetChanged();
    this.notices.say(`Encoded ${result.source.name}: ${result.outputs.map((o) => o.output.name).join(' and ')}. Review it, then publish.`);
    this.preview.focus();
  }

  private endEncode(state: PageState): void {
    this.running = undefined;
    this.state = state;
    this.media?.hideProgress();
    if (this.media) this.media.enabled = true;
    this.media?.reset();
  }

  private cancel(): void {
    if (!this.running) return;
    this.media?.cancelling();
    this.running.abort();
  }

  private async publish(): Promise<void> {
    const { client, target, preview, encoded } = this;
    const choice = target?.target();
    if (!client || !target || !preview || !encoded || !choice || this.running) return;
    const controller = new AbortController();
    this.running = controller;
    this.state = 'publishing';
    this.notices.clearError();
    if (this.media) this.media.enabled = false;
    preview.publishing(undefined);
    this.notices.say(`Publishing to ${choice.label}…`);
    let createdVersionId: string | undefined;
    try {
      const versionId =
        choice.kind === 'version'
          ? choice.versionId
          : (createdVersionId = await client.createVersion(choice.assetId, `Published from the browser (${encoded.source.name})`));
      const components = await publishReview(client, versionId, encoded, {
        signal: controller.signal,
        onProgress: (p) => preview.publishing(p.percent),
      });
      const published = await client.reviewTarget(versionId);
      const label = `${published.asset} v${String(published.version).padStart(3, '0')}`;
      preview.published(h('p', { id: 'published', class: 'success' }, `Published ${components.map((c) => c.name).join(', ')} to ${label}.`));
      this.publishedTo.add(versionId);
      this.state = 'published';
      this.notices.say(`Published to ${label}.`);
      await target.reloadVersions(versionId).catch(() => undefined);
    } catch (error) {
      if (createdVersionId) await client.session.delete('AssetVersion', [createdVersionId]).catch(() => undefined);
      preview.publishFailed();
      this.state = 'encoded';
      this.notices.say('');
      this.notices.showError(error);
    } finally {
      this.running = undefined;
      if (this.media) this.media.enabled = true;
      this.targetChanged();
    }
  }
}
