import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import type { DeviceSshView } from '@kidtime/protocol';
import {
  DEFAULT_TIMEKPRA,
  LOGIN_METHODS,
  type SshForm,
  type SshFormProblems,
  type SshLoginMethod,
  sshFormProblems,
} from '../data/ssh';
import { sharedStyles } from './shared-styles';
import './kt-ssh-help';

/** The parent sent the form, without a problem the page could see: the host builds the request. */
export class SshFormSubmitEvent extends Event {
  constructor(readonly form: SshForm) {
    super('kt-ssh-submit', { bubbles: true, composed: true });
  }
}

export class SshFormCancelEvent extends Event {
  constructor() {
    super('kt-ssh-cancel', { bubbles: true, composed: true });
  }
}

/** The fields under "Advanced": opened by themselves when one of them needs fixing. */
const ADVANCED: ReadonlyArray<keyof SshForm> = ['timekpraPath', 'hostKeyFingerprint', 'timezone'];

let zones: string[] | undefined;
/** The time zones this browser knows, for the time zone field's suggestions. */
function timezones(): string[] {
  zones ??= typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones;
}

/**
 * SSH settings: address, port, SSH user, password or private key, and under "Advanced" timekpra's path, the
 * expected host key and the PC's time zone. The same form adds a PC, adds SSH to an enrolled one and changes
 * saved settings (`saved`: then secrets left blank stay as they are). What was typed stays while the hub
 * connects and when it refuses — `error` is its reason, shown as is — and lives only in this element.
 */
@customElement('kt-ssh-form')
export class KtSshForm extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        gap: 0.75rem;
      }
      p {
        margin: 0;
      }
      .fields {
        display: grid;
        gap: 0.75rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 13rem), 1fr));
      }
      .wide {
        grid-column: 1 / -1;
      }
      input,
      textarea {
        width: 100%;
      }
      textarea {
        padding: 0.5rem 0.75rem;
        font-family: ui-monospace, 'DejaVu Sans Mono', monospace;
        font-size: 0.85rem;
        resize: vertical;
      }
      fieldset {
        border: 0;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.25rem;
        min-width: 0;
      }
      legend {
        font-weight: 600;
        padding: 0;
        margin-bottom: 0.2rem;
      }
      .choices {
        display: flex;
        flex-wrap: wrap;
        gap: 0 1.25rem;
      }
      input[type='radio'] {
        width: 1.4rem;
        margin: 0;
      }
      .check {
        font-weight: normal;
      }
      .hint,
      .problem {
        font-size: 0.85rem;
        font-weight: normal;
      }
      .hint {
        color: var(--kt-muted);
      }
      .problem {
        color: var(--kt-danger);
      }
      [aria-invalid='true'] {
        border: 2px solid var(--kt-danger);
      }
      details {
        border-top: 1px solid var(--kt-border);
      }
      details[open] > .fields {
        padding-bottom: 0.25rem;
      }
      .refused {
        padding: 0.6rem 0.75rem;
        border: 2px solid var(--kt-danger);
        border-radius: 0.6rem;
      }
    `,
  ];

  /** The values to start from; the form follows it only when it is another object. */
  @property({ attribute: false }) initial!: SshForm;
  /** The settings being changed; null for new settings. */
  @property({ attribute: false }) saved: DeviceSshView | null = null;
  /** Ask for the PC's name (adding a PC). */
  @property({ type: Boolean }) named = false;
  /** The hub is connecting to the PC. */
  @property({ type: Boolean }) busy = false;
  /** The hub's reason for refusing, in its own words. */
  @property() error = '';
  @property() submitLabel = 'Connect and save';
  @state() private _form!: SshForm;
  @state() private _problems: SshFormProblems = {};
  @state() private _advanced = false;

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('initial')) {
      this._form = { ...this.initial };
      this._problems = {};
    }
  }

  override render() {
    const form = this._form;
    const saved = this.saved;
    return html`<form novalidate @submit=${this._submit}>
      <kt-ssh-help .login=${form.login} .username=${form.username}></kt-ssh-help>
      <div class="fields">
        ${
          this.named
            ? this._text('name', 'PC name', {
                placeholder: 'e.g. Study PC',
                maxlength: 100,
                wide: true,
              })
            : nothing
        }
        ${this._text('host', 'Address (host name or IP)', {
          placeholder: 'e.g. study-pc.local',
          inputmode: 'url',
          maxlength: 253,
        })}
        ${this._text('port', 'Port', { type: 'number', inputmode: 'numeric', min: 1, max: 65_535 })}
        ${this._text('username', 'SSH user on the PC', { placeholder: 'e.g. kidtime', maxlength: 32 })}
      </div>
      <fieldset>
        <legend>Log in with</legend>
        <div class="choices">
          ${LOGIN_METHODS.map(
            ({ method, label }) =>
              html`<label class="check">
                <input
                  type="radio"
                  name="login"
                  value=${method}
                  .checked=${live(form.login === method)}
                  ?disabled=${this.busy}
                  @change=${() => this._set({ login: method as SshLoginMethod })}
                />
                ${label}
              </label>`,
          )}
        </div>
      </fieldset>
      ${
        form.login === 'password'
          ? this._text('password', 'SSH password', {
              type: 'password',
              autocomplete: 'new-password',
              hint: saved?.auth === 'password' ? 'Leave blank to keep the saved password.' : '',
            })
          : form.login === 'key'
            ? html`${this._privateKey()}
              ${this._text('passphrase', 'Passphrase of the key (if it has one)', {
                type: 'password',
                autocomplete: 'new-password',
                hint:
                  saved?.auth === 'key' ? 'Give it again with a new key; the saved key keeps its own.' : '',
              })}`
            : html`<p class="hint">
                Nothing to paste: the hub logs in with its own key, once the PC lets in its line ("How to
                prepare the PC" above).
              </p>`
      }
      <details
        .open=${this._advanced}
        @toggle=${(event: Event) => (this._advanced = (event.target as HTMLDetailsElement).open)}
      >
        <summary>Advanced</summary>
        <div class="fields">
          ${this._text('timekpraPath', "timekpra's path on the PC", {
            placeholder: DEFAULT_TIMEKPRA,
            maxlength: 201,
          })}
          ${this._text('hostKeyFingerprint', 'Expected host key fingerprint', {
            placeholder: 'SHA256:…',
            hint: saved?.hostKey
              ? `Leave blank to keep the trusted key (${saved.hostKey.fingerprint}).`
              : 'Leave blank to trust the key the PC shows the first time.',
            wide: true,
          })}
          ${this._text('timezone', "The PC's time zone", {
            placeholder: 'e.g. Europe/London',
            list: 'timezones',
            hint: "Blank: the hub's own time zone.",
          })}
        </div>
        <datalist id="timezones">
          ${timezones().map((zone) => html`<option value=${zone}></option>`)}
        </datalist>
      </details>
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this.busy}>
          ${this.busy ? 'Connecting…' : this.submitLabel}
        </button>
        <button type="button" ?disabled=${this.busy} @click=${this._cancel}>Cancel</button>
      </div>
      <p role="status">
        ${this.busy ? `Connecting to ${form.host.trim()}: Kidtime checks the login and reads the users…` : ''}
      </p>
      ${this.error && !this.busy ? html`<p class="refused" role="alert">${this.error}</p>` : nothing}
    </form>`;
  }

  private _text(
    field: keyof SshForm,
    label: string,
    options: {
      type?: string;
      placeholder?: string;
      inputmode?: string;
      autocomplete?: string;
      maxlength?: number;
      min?: number;
      max?: number;
      list?: string;
      hint?: string;
      wide?: boolean;
    } = {},
  ) {
    const problem = this._problems[field];
    const described = [problem ? `${field}-problem` : '', options.hint ? `${field}-hint` : '']
      .filter(Boolean)
      .join(' ');
    // Hints and problems sit outside the label, so that they describe the field rather than name it.
    return html`<div class="field ${options.wide ? 'wide' : ''}">
      <label for="f-${field}">${label}</label>
      <input
        id="f-${field}"
        name=${field}
        type=${options.type ?? 'text'}
        .value=${live(this._form[field])}
        placeholder=${options.placeholder ?? nothing}
        inputmode=${options.inputmode ?? nothing}
        autocomplete=${options.autocomplete ?? 'off'}
        autocapitalize="none"
        spellcheck="false"
        maxlength=${options.maxlength ?? nothing}
        min=${options.min ?? nothing}
        max=${options.max ?? nothing}
        list=${options.list ?? nothing}
        aria-invalid=${problem ? 'true' : 'false'}
        aria-describedby=${described || nothing}
        ?disabled=${this.busy}
        @input=${(event: Event) => this._set({ [field]: (event.target as HTMLInputElement).value })}
      />
      ${options.hint ? html`<span class="hint" id="${field}-hint">${options.hint}</span>` : nothing}
      ${problem ? html`<span class="problem" id="${field}-problem">${problem}</span>` : nothing}
    </div>`;
  }

  private _privateKey() {
    const problem = this._problems.privateKey;
    const keeps = this.saved?.auth === 'key';
    return html`<div class="field">
      <label for="f-privateKey">Private key</label>
      <textarea
        id="f-privateKey"
        name="privateKey"
        rows="6"
        autocomplete="off"
        autocapitalize="none"
        spellcheck="false"
        placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
        .value=${live(this._form.privateKey)}
        aria-invalid=${problem ? 'true' : 'false'}
        aria-describedby="privateKey-hint${problem ? ' privateKey-problem' : ''}"
        ?disabled=${this.busy}
        @input=${(event: Event) => this._set({ privateKey: (event.target as HTMLTextAreaElement).value })}
      ></textarea>
      <span class="hint" id="privateKey-hint">
        ${
          keeps
            ? 'Leave blank to keep the saved key.'
            : 'The whole private key file, from -----BEGIN to -----END. The hub keeps it encrypted.'
        }
      </span>
      ${problem ? html`<span class="problem" id="privateKey-problem">${problem}</span>` : nothing}
    </div>`;
  }

  private _set(change: Partial<SshForm>): void {
    this._form = { ...this._form, ...change };
    // A problem goes away as soon as its field is being fixed; the others stay until the next submit.
    const fixed = Object.keys(change) as Array<keyof SshForm>;
    if (fixed.some((field) => this._problems[field]) || fixed.includes('login')) {
      const problems = { ...this._problems };
      for (const field of fixed) delete problems[field];
      if (fixed.includes('login')) {
        delete problems.password;
        delete problems.privateKey;
        delete problems.passphrase;
      }
      this._problems = problems;
    }
  }

  private async _submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    this._problems = sshFormProblems(this._form, this.saved, this.named);
    const first = Object.keys(this._problems)[0] as keyof SshForm | undefined;
    if (!first) {
      this.dispatchEvent(new SshFormSubmitEvent({ ...this._form }));
      return;
    }
    if (ADVANCED.includes(first)) this._advanced = true;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
  }

  private _cancel(): void {
    this.dispatchEvent(new SshFormCancelEvent());
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-ssh-form': KtSshForm;
  }
}
