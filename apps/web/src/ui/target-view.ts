// "Where to publish": project -> shot -> an existing version, or a new version of one of
// the shot's assets. Each list loads when the one above it changes.
import type { FtrackClient, Named } from '../ftrack/ftrack-client.js';
import { h, option } from './dom.js';

export type TargetChoice = { kind: 'version'; versionId: string; label: string } | { kind: 'new-version'; assetId: string; label: string };

export class TargetView {
  readonly element: HTMLElement;
  private readonly project = select('project');
  private readonly shot = select('shot');
  private readonly version = select('version');
  private readonly asset = select('asset');
  private readonly useExisting = h('input', { type: 'radio', name: 'version-mode', id: 'mode-existing', value: 'existing', checked: true });
  private readonly useNew = h('input', { type: 'radio', name: 'version-mode', id: 'mode-new', value: 'new' });
  private readonly heading = h('h2', { id: 'target-title', tabindex: -1 }, 'Where to publish');

  constructor(
    private readonly client: FtrackClient,
    private readonly onChange: () => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.element = h(
      'section',
      { id: 'target', class: 'panel', 'aria-labelledby': 'target-title' },
      this.heading,
      h('fieldset', {}, h('legend', {}, 'Project and shot'), field('Project', this.project), field('Shot', this.shot)),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Version'),
        h('div', { class: 'choice' }, this.useExisting, h('label', { for: 'mode-existing' }, 'Add to an existing version')),
        field('Existing version', this.version),
        h('div', { class: 'choice' }, this.useNew, h('label', { for: 'mode-new' }, 'Create a new version of an asset')),
        field('Asset', this.asset),
      ),
    );
    this.project.addEventListener('change', () => void this.guard(this.loadShots()));
    this.shot.addEventListener('change', () => void this.guard(this.loadVersions()));
    for (const control of [this.version, this.asset, this.useExisting, this.useNew]) control.addEventListener('change', () => this.modeChanged());
  }

  async load(): Promise<void> {
    fill(this.project, await this.client.projects(), 'No projects');
    await this.loadShots();
  }

  focus(): void {
    this.heading.focus();
  }

  target(): TargetChoice | undefined {
    if (this.useExisting.checked && this.version.value) {
      return { kind: 'version', versionId: this.version.value, label: this.version.selectedOptions[0]?.textContent ?? '' };
    }
    if (this.useNew.checked && this.asset.value) {
      return { kind: 'new-version', assetId: this.asset.value, label: `a new version of ${this.asset.selectedOptions[0]?.textContent ?? ''}` };
    }
    return undefined;
  }

  /** After publishing to a new version: list it and select it, so a second publish adds to it. */
  async reloadVersions(selectVersionId?: string): Promise<void> {
    await this.loadVersions();
    if (selectVersionId) {
      this.version.value = selectVersionId;
      this.useExisting.checked = true;
      this.modeChanged();
    }
  }

  private async loadShots(): Promise<void> {
    fill(this.shot, this.project.value ? await this.client.shots(this.project.value) : [], 'No shots');
    await this.loadVersions();
  }

  private async loadVersions(): Promise<void> {
    const shotId = this.shot.value;
    const [versions, assets] = shotId ? await Promise.all([this.client.versions(shotId), this.client.assets(shotId)]) : [[], []];
    fill(this.version, versions, 'No versions yet');
    fill(this.asset, assets, 'No assets');
    if (versions.length === 0 && assets.length > 0) this.useNew.checked = true;
    this.modeChanged();
  }

  private modeChanged(): void {
    this.version.disabled = !this.useExisting.checked || this.version.options.length === 0 || !this.version.value;
    this.asset.disabled = !this.useNew.checked || !this.asset.value;
    this.onChange();
  }

  private async guard(work: Promise<void>): Promise<void> {
    try {
      await work;
    } catch (error) {
      this.onError(error);
    }
  }
}

function select(name: string): HTMLSelectElement {
  return h('select', { id: `${name}-select`, name });
}

function field(label: string, control: HTMLSelectElement): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

function fill(control: HTMLSelectElement, items: Named[], empty: string): void {
  const previous = control.value;
  control.replaceChildren(...(items.length === 0 ? [option('', empty)] : items.map((item) => option(item.id, item.name))));
  if (items.some((item) => item.id === previous)) control.value = previous;
  control.disabled = items.length === 0;
}
