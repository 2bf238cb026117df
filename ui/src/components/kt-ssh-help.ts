import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { hubContext, type HubContext } from '../data/context';
import type { HubSshKey } from '@kidtime/protocol';
import { GUARD_PATH, type SshLoginMethod, guardUrlOf, hubPublicKey, setupCommands } from '../data/ssh';
import { copyText } from './copy';
import { sharedStyles } from './shared-styles';

/**
 * What to do on the child's PC before Kidtime can reach it over SSH, folded away until asked for: a user for
 * Kidtime in group timekpr, the guard that lets it run timekpra and nothing else, and the login (a key line
 * behind the guard, or a password that sshd holds to the guard). The commands name the SSH user typed in the
 * form, and copy with one tap.
 */
@customElement('kt-ssh-help')
export class KtSshHelp extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      details {
        border: 1px solid var(--kt-border);
        border-radius: 0.75rem;
        padding: 0 0.75rem;
        background: var(--kt-accent-soft);
      }
      .steps {
        display: grid;
        gap: 0.6rem;
        padding-bottom: 0.75rem;
      }
      p {
        margin: 0;
      }
      ol {
        margin: 0;
        padding-left: 1.3rem;
        display: grid;
        gap: 0.75rem;
      }
      li {
        display: grid;
        gap: 0.4rem;
      }
      /* The command as wide as the phone, its Copy button under it. */
      .command {
        display: grid;
        gap: 0.4rem;
      }
      .command button {
        justify-self: end;
      }
      code {
        overflow-wrap: anywhere;
      }
      pre {
        background: var(--kt-card);
      }
    `,
  ];

  @property() login: SshLoginMethod = 'password';
  /** The SSH user typed so far. */
  @property() username = '';
  @consume({ context: hubContext }) private _hub!: HubContext;
  @state() private _hubKey: HubSshKey | null = null;
  @state() private _copied = '';

  override connectedCallback(): void {
    super.connectedCallback();
    // Its line for authorized_keys, and where it serves the guard; viewers are not shown the key.
    hubPublicKey(this._hub.session).then(
      (key) => (this._hubKey = key),
      () => (this._hubKey = null),
    );
  }

  override render() {
    const key = this._hubKey;
    const steps = setupCommands(
      key?.guardUrl ?? guardUrlOf(location.origin),
      this.username,
      key?.authorizedKeysLine,
    );
    return html`<details>
      <summary>How to prepare the PC</summary>
      <div class="steps">
        <p>
          Kidtime logs in to the PC over SSH and runs only <code>timekpra</code>, Timekpr-nExT's own tool. On
          the child's PC, open a terminal and become root (<code>sudo -i</code>), then:
        </p>
        <ol>
          <li>
            <span>Create a user for Kidtime in the group <code>timekpr</code>, which may use timekpra:</span>
            ${this._command('create-user', 'the command that creates the user', steps.createUser)}
          </li>
          <li>
            <span>
              Install Kidtime's guard, which lets that user run timekpra's own commands and nothing else:
            </span>
            ${this._command('install-guard', 'the command that installs the guard', steps.installGuard)}
          </li>
          ${
            this.login === 'password'
              ? this._passwordSteps(steps)
              : this.login === 'key'
                ? this._keySteps(steps)
                : this._hubKeySteps(steps)
          }
          <li>
            <span>
              Optional, against a PC pretending to be this one: this prints the fingerprint to give under
              Advanced.
            </span>
            ${this._command('host-key', 'the command that prints the host key', steps.hostKey)}
          </li>
        </ol>
        <p class="muted" role="status">${this._copied}</p>
      </div>
    </details>`;
  }

  private _passwordSteps(steps: ReturnType<typeof setupCommands>) {
    return html`<li>
        <span>Give it a password, the one to type in this form:</span>
        ${this._command('set-password', 'the command that sets the password', steps.setPassword)}
      </li>
      <li>
        <span>
          Hold a password login to the guard too (sshd then runs it for <code>${steps.user}</code>, whatever
          is asked):
        </span>
        ${this._command('force-command', 'the command that holds the login to the guard', steps.forceCommand)}
      </li>`;
  }

  private _keySteps(steps: ReturnType<typeof setupCommands>) {
    return html`<li>
        <span>
          Make a key for Kidtime: this lets its public half in through the guard only, prints the private half
          to paste in this form, and removes it from the PC:
        </span>
        ${this._command('key-login', 'the command that makes the key', steps.keyLogin)}
      </li>
      <li>
        <span>
          Or, with a key of your own, put its line behind the guard in <code>${steps.authorizedKeys}</code>:
          <code>command="${GUARD_PATH}",restrict</code> and then the public key.
        </span>
      </li>`;
  }

  private _hubKeySteps(steps: ReturnType<typeof setupCommands>) {
    const key = this._hubKey;
    if (!key)
      return html`<li>
        <span>Let in this hub's own key: an owner or a parent sees its line here.</span>
      </li>`;
    return html`<li>
      <span>
        Let in this hub's own key, through the guard only (nothing to paste in this form): this adds its line
        to <code>${steps.authorizedKeys}</code>.
      </span>
      ${
        steps.hubKeyLogin
          ? this._command('hub-key-login', "the command that lets the hub's key in", steps.hubKeyLogin)
          : this._command('hub-key', "the hub's key line", key.authorizedKeysLine)
      }
    </li>`;
  }

  private _command(id: string, what: string, text: string) {
    return html`<div class="command">
      <pre id=${id}>${text}</pre>
      <button aria-label="Copy ${what}" @click=${() => this._copy(id, text)}>Copy</button>
    </div>`;
  }

  private async _copy(id: string, text: string): Promise<void> {
    this._copied =
      (await copyText(text, this.renderRoot.querySelector(`#${id}`))) === 'copied'
        ? 'Copied.'
        : 'The command is selected: copy it with Ctrl+C, or long-press and Copy.';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-ssh-help': KtSshHelp;
  }
}
