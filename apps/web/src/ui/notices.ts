// The two live regions: polite status lines, and errors announced at once (role=alert).
import { friendlyError } from './messages.js';
import { h } from './dom.js';

export class Notices {
  readonly status = h('p', { id: 'status', role: 'status', 'aria-live': 'polite', class: 'status' });
  readonly error = h('div', { id: 'error', role: 'alert', tabindex: -1, class: 'error', hidden: true });

  say(text: string): void {
    this.status.textContent = text;
  }

  showError(error: unknown, focus = true): void {
    const { title, advice, detail } = friendlyError(error);
    this.error.replaceChildren(h('p', { class: 'error-title' }, title), h('p', {}, advice));
    if (detail) this.error.append(h('details', {}, h('summary', {}, 'Technical detail'), h('pre', { id: 'error-detail' }, detail)));
    this.error.hidden = false;
    if (focus) this.error.focus();
  }

  clearError(): void {
    this.error.hidden = true;
    this.error.replaceChildren();
  }
}
