import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { ChildView } from '@kidtime/protocol';
import { createChild, removeChild, updateChild } from '../data/api';
import { ChangeController } from '../data/change';
import { hubContext, type HubContext } from '../data/context';
import { sharedStyles } from './shared-styles';

/**
 * The children: add, rename, remove. Which logins a child has is chosen per login on the PCs above; here the
 * list only shows them. Removing a child keeps its PCs and logins (they show on their own again).
 */
@customElement('kt-children-editor')
export class KtChildrenEditor extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      section {
        display: grid;
        gap: 0.75rem;
      }
      h2 {
        margin: 0;
        font-size: 1.15rem;
      }
      p {
        margin: 0;
      }
      /* Kept in the page for screen readers, without taking a grid gap while empty. */
      .status:empty {
        margin-top: -0.75rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
      }
      li {
        display: grid;
        gap: 0.4rem;
        padding: 0.6rem 0;
        border-top: 1px solid var(--kt-border);
      }
      .line {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
      }
      .name {
        font-weight: 600;
        flex: 1 1 5rem;
      }
      .logins {
        font-size: 0.9rem;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        align-items: end;
        gap: 0.5rem;
      }
      form .field {
        flex: 1 1 12rem;
      }
    `,
  ];

  /** The household's children (`children` is the DOM's own property). */
  @property({ attribute: false }) kids: ChildView[] = [];
  @property({ type: Boolean }) readOnly = false;
  @consume({ context: hubContext }) private _hub!: HubContext;
  private readonly _changes = new ChangeController(this, () => this._hub.store.load());
  @state() private _renaming = '';
  @state() private _removing = '';

  override render() {
    const children = [...this.kids].sort((a, b) => a.name.localeCompare(b.name));
    return html`<section class="card" aria-labelledby="title">
      <h2 id="title">Children</h2>
      ${
        children.length === 0
          ? html`<p class="muted">
              No children yet. Add one here, or choose "New child…" next to a login above.
            </p>`
          : html`<ul>
              ${children.map((child) => this._child(child))}
            </ul>`
      }
      <form @submit=${this._create}>
        <label class="field">
          Add a child: name
          <input name="name" required maxlength="100" autocomplete="off" ?disabled=${this.readOnly} />
        </label>
        <button type="submit" ?disabled=${this.readOnly || this._changes.busy}>Add child</button>
      </form>
      <p class="status" role="status">${this._changes.message}</p>
      ${this._changes.error ? html`<p role="alert">${this._changes.error}</p>` : nothing}
    </section>`;
  }

  private _child(child: ChildView) {
    const logins = child.members.map((m) => `${m.login} on ${m.deviceName}`).join(', ');
    return html`<li>
      <div class="line">
        <span class="name">${child.name}</span>
        ${
          this._renaming === child.id || this._removing === child.id
            ? nothing
            : html`<button
                  aria-label="Rename ${child.name}"
                  ?disabled=${this.readOnly || this._changes.busy}
                  @click=${() => (this._renaming = child.id)}
                >
                  Rename
                </button>
                <button
                  class="danger"
                  aria-label="Remove ${child.name}"
                  ?disabled=${this.readOnly || this._changes.busy}
                  @click=${() => (this._removing = child.id)}
                >
                  Remove
                </button>`
        }
      </div>
      <span class="muted logins">${logins || 'No logins yet'}</span>
      ${this._renaming === child.id ? this._renameForm(child) : nothing}
      ${this._removing === child.id ? this._removeConfirmation(child) : nothing}
    </li>`;
  }

  private _renameForm(child: ChildView) {
    return html`<form @submit=${(event: SubmitEvent) => this._rename(event, child)}>
      <label class="field">
        New name for ${child.name}
        <input name="name" required maxlength="100" autocomplete="off" .value=${child.name} />
      </label>
      <button class="primary" type="submit" ?disabled=${this._changes.busy}>Save</button>
      <button type="button" @click=${() => (this._renaming = '')}>Cancel</button>
    </form>`;
  }

  private _removeConfirmation(child: ChildView) {
    return html`<div class="confirm" role="group" aria-label="Remove ${child.name}?">
      <p>
        <strong>Remove ${child.name}?</strong> The PCs and their logins stay; they show on their own on the
        dashboard again.
      </p>
      <div class="row">
        <button @click=${() => (this._removing = '')}>Cancel</button>
        <button class="destructive" ?disabled=${this._changes.busy} @click=${() => this._remove(child)}>
          Remove
        </button>
      </div>
    </div>`;
  }

  private _create(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '').trim();
    if (!name) return;
    void this._changes.run(async () => {
      await createChild(this._hub.session, name);
      form.reset();
      return `${name} added. Give them a login with the "Child" choice next to it above.`;
    });
  }

  private _rename(event: SubmitEvent, child: ChildView): void {
    event.preventDefault();
    const name = String(new FormData(event.target as HTMLFormElement).get('name') ?? '').trim();
    if (!name) return;
    void this._changes.run(async () => {
      await updateChild(this._hub.session, child.id, { name });
      this._renaming = '';
      return `${child.name} is now called ${name}.`;
    });
  }

  private _remove(child: ChildView): void {
    void this._changes.run(async () => {
      await removeChild(this._hub.session, child.id);
      this._removing = '';
      return `${child.name} removed.`;
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-children-editor': KtChildrenEditor;
  }
}
