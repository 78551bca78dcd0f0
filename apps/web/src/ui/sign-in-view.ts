// Sign-in form: server, API user, API key. Values arrive prefilled from the link or this
// tab's sessionStorage (settings.ts).
import type { Credentials } from '../settings.js';
import { h } from './dom.js';

export class SignInView {
  readonly element: HTMLFormElement;
  private readonly server: HTMLInputElement;
  private readonly user: HTMLInputElement;
  private readonly key: HTMLInputElement;
  private readonly submit: HTMLButtonElement;

  constructor(initial: Partial<Credentials>, onSubmit: (credentials: Credentials) => void) {
    this.server = h('input', { id: 'server-url', name: 'server', type: 'url', required: true, autocomplete: 'url', value: initial.serverUrl ?? '' });
    this.user = h('input', { id: 'api-user', name: 'user', required: true, autocomplete: 'username', value: initial.user ?? '' });
    this.key = h('input', { id: 'api-key', name: 'key', type: 'password', required: true, autocomplete: 'current-password', value: initial.apiKey ?? '' });
    this.submit = h('button', { type: 'submit', id: 'sign-in' }, 'Sign in');
    this.element = h(
      'form',
      { id: 'sign-in-form', class: 'panel', 'aria-labelledby': 'sign-in-title' },
      h('h2', { id: 'sign-in-title' }, 'Sign in to ftrack'),
      h(
        'fieldset',
        {},
        h('legend', {}, 'ftrack server and API key'),
        field('Server address', this.server),
        field('API user', this.user),
        field('API key', this.key, 'Kept only in this browser tab until you sign out or close it.'),
      ),
      this.submit,
    );
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      onSubmit({ serverUrl: this.server.value.trim().replace(/\/+$/, ''), user: this.user.value.trim(), apiKey: this.key.value });
    });
  }

  set busy(busy: boolean) {
    this.submit.disabled = busy;
    this.submit.textContent = busy ? 'Signing in…' : 'Sign in';
    this.element.setAttribute('aria-busy', String(busy));
  }

  focus(): void {
    (this.user.value ? (this.key.value ? this.submit : this.key) : this.user).focus();
  }
}

function field(label: string, input: HTMLInputElement, help?: string): HTMLElement {
  const helpId = help ? `${input.id}-help` : undefined;
  if (helpId) input.setAttribute('aria-describedby', helpId);
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, help ? h('p', { id: helpId, class: 'help' }, help) : null);
}
