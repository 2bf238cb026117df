import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { consume } from '@lit/context';
import type { ChildView } from '@kidtime/protocol';
import { ApiError, updateChild } from '../data/api';
import { canChange, hubContext, type HubContext } from '../data/context';
import { href } from '../data/router';
import { onlineText } from '../data/ssh';
import { type LoginView, loginKey } from '../data/store';
import { WatchController } from '../data/watch';
import { sharedStyles } from './shared-styles';
import './kt-playtime-editor';
import './kt-schedule-editor';
import './kt-week-summary';

/**
 * A child's page (or a login's that no child has yet): per PC, today and the week at a glance, then the
 * schedule and PlayTime editors for that login. Each PC keeps its own timekpr settings, so each login has
 * its own editors.
 */
@customElement('kt-child-page')
export class KtChildPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .back {
        display: inline-flex;
        align-items: center;
        min-height: 44px;
        margin-bottom: 0.25rem;
      }
      .title {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1rem;
        margin-bottom: 1rem;
      }
      .title h1 {
        margin: 0;
      }
      .rename {
        display: flex;
        flex-wrap: wrap;
        align-items: end;
        gap: 0.5rem;
        margin-bottom: 1rem;
      }
      .rename .field {
        flex: 1 1 12rem;
      }
      .login {
        display: grid;
        gap: 1rem;
        margin-bottom: 2rem;
      }
      h2 {
        margin: 0;
        font-size: 1.2rem;
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 0 0.6rem;
      }
      .badge {
        font-size: 0.9rem;
        font-weight: 600;
      }
      .online {
        color: var(--kt-ok);
      }
      .editors {
        display: grid;
        gap: 1rem;
        align-items: start;
      }
      @media (min-width: 64rem) {
        .editors {
          grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
        }
      }
      .viewer {
        margin: 0 0 1rem;
      }
    `,
  ];

  @property() childId = '';
  /** A login no child has yet. */
  @property({ attribute: false }) target: { deviceId: string; login: string } | null = null;
  @consume({ context: hubContext }) private _hub!: HubContext;
  @state() private _renaming = false;
  @state() private _renameError = '';
  @state() private _renameBusy = false;
  @state() private _reloading = false;

  /** The child this page last read the household again for, so a missing child costs one reload only. */
  private _reloadedFor = '';

  constructor() {
    super();
    new WatchController(this, () => this._hub?.store);
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('childId')) this._cancelRename();
    // A child added in another session (or on another phone) is not in this store yet: read again once.
    const { store } = this._hub;
    if (
      store.loaded &&
      this.childId &&
      this._reloadedFor !== this.childId &&
      !store.children.some((c) => c.id === this.childId)
    ) {
      this._reloadedFor = this.childId;
      this._reloading = true;
      void store.load().finally(() => (this._reloading = false));
    }
  }

  override render() {
    const { store } = this._hub;
    const back = html`<a class="back" href=${href({ page: 'home' })}>‹ Back to Today</a>`;
    if (!store.loaded) {
      return store.error
        ? html`${back}
            <p role="alert">${store.error}</p>`
        : html`<p class="muted" role="status">Loading…</p>`;
    }
    const child = this.childId ? store.children.find((c) => c.id === this.childId) : undefined;
    if (this.childId && !child)
      return this._reloading
        ? html`${back}
            <p class="muted" role="status">Loading…</p>`
        : html`${back}
            <h1 class="page-title">Not found</h1>
            <p>This child is not in the household (any more).</p>`;
    const logins = child
      ? store.loginsOf(child)
      : this.target
        ? [store.logins.get(loginKey(this.target.deviceId, this.target.login))].filter(
            (login): login is LoginView => login !== undefined,
          )
        : [];
    const title = child?.name ?? this.target?.login ?? '';
    const editable = canChange(this._hub);
    return html`${back}
      <div class="title">
        <h1 class="page-title">${title}</h1>
        ${
          child && editable && !this._renaming
            ? html`<button @click=${() => (this._renaming = true)} aria-label="Rename ${child.name}">
                Rename
              </button>`
            : nothing
        }
      </div>
      ${child && this._renaming ? this._renameForm(child) : nothing}
      ${
        editable
          ? nothing
          : html`<p class="muted viewer">You can look but not change anything (viewer account).</p>`
      }
      ${store.error ? html`<p role="alert">${store.error}</p>` : nothing}
      ${
        !child && this.target
          ? html`<p class="muted">
              This login is not one of a child's yet: on the <a href=${href({ page: 'devices' })}>PCs page</a>
              it can be given to a child.
            </p>`
          : nothing
      }
      ${
        logins.length === 0
          ? html`<p class="muted">
              ${child ? 'No PC reports this child yet.' : 'No PC reports this login (any more).'}
            </p>`
          : repeat(
              logins,
              (login) => login.key,
              (login, i) => this._login(login, i, logins.length > 1),
            )
      }`;
  }

  private _login(login: LoginView, index: number, several: boolean) {
    const device = this._hub.store.devices.get(login.deviceId);
    const name = device?.name ?? 'A PC';
    const online = device?.online ?? false;
    const readOnly = !canChange(this._hub);
    return html`<section class="login" aria-labelledby="pc-${index}">
      <h2 id="pc-${index}">
        <span
          >${name}${several || this.childId ? html` <span class="muted">· ${login.login}</span>` : nothing}</span
        >
        <span class="badge ${online ? 'online' : 'muted'}">${onlineText(device)}</span>
      </h2>
      <kt-week-summary .login=${login}></kt-week-summary>
      <div class="editors">
        <kt-schedule-editor .login=${login} .deviceName=${name} ?readOnly=${readOnly}></kt-schedule-editor>
        <kt-playtime-editor .login=${login} .deviceName=${name} ?readOnly=${readOnly}></kt-playtime-editor>
      </div>
    </section>`;
  }

  private _renameForm(child: ChildView) {
    return html`<form class="rename" @submit=${(e: SubmitEvent) => this._rename(e, child)}>
        <label class="field">
          Child's name
          <input name="name" required maxlength="100" autocomplete="off" .value=${child.name} />
        </label>
        <button class="primary" type="submit" ?disabled=${this._renameBusy}>Save name</button>
        <button type="button" @click=${this._cancelRename}>Cancel</button>
      </form>
      ${this._renameError ? html`<p role="alert">${this._renameError}</p>` : nothing}`;
  }

  private readonly _cancelRename = () => {
    this._renaming = false;
    this._renameError = '';
  };

  private async _rename(event: SubmitEvent, child: ChildView): Promise<void> {
    event.preventDefault();
    const name = String(new FormData(event.target as HTMLFormElement).get('name') ?? '');
    this._renameBusy = true;
    try {
      await updateChild(this._hub.session, child.id, { name });
      await this._hub.store.load();
      this._cancelRename();
    } catch (error) {
      this._renameError = error instanceof ApiError ? error.message : String(error);
    } finally {
      this._renameBusy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-child-page': KtChildPage;
  }
}
