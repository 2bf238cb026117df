import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { provide } from '@lit/context';
import { ApiError, Session, me, setupNeeded } from './data/api';
import { hubContext, type HubContext } from './data/context';
import { LiveConnection } from './data/live';
import { sharedStyles } from './components/shared-styles';
import './components/kt-dashboard';
import './components/kt-sign-in';

type Screen = 'loading' | 'setup' | 'login' | 'ready' | 'unreachable';

/** The app shell: signs in (or sets up the first account), then shows the dashboard with live updates. */
@customElement('kt-app')
export class KtApp extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
        background: var(--kt-bg);
      }
      header {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        padding: 0.75rem 1rem;
        border-bottom: 1px solid var(--kt-border);
        background: var(--kt-card);
      }
      h1 {
        font-size: 1.25rem;
        margin: 0;
        flex: 1;
      }
      main {
        max-width: 72rem;
        margin: 0 auto;
        padding: 1rem;
      }
      .live {
        font-size: 0.85rem;
      }
      .live.on {
        color: var(--kt-ok);
      }
    `,
  ];

  private readonly _session = new Session();
  private readonly _live = new LiveConnection(this._session);
  @provide({ context: hubContext }) @state() private _hub: HubContext | null = null;
  @state() private _screen: Screen = 'loading';
  @state() private _problem = '';

  override connectedCallback(): void {
    super.connectedCallback();
    this._session.addEventListener('signed-in', () => void this._enter());
    this._session.addEventListener('signed-out', () => this._leave());
    this._live.addEventListener('change', () => this.requestUpdate());
    void this._start();
  }

  override render() {
    const hub = this._hub;
    return html`
      <header>
        <h1>Kidtime</h1>
        ${
          hub
            ? html`<span class="live ${this._live.connected ? 'on' : 'muted'}" role="status">
                  ${this._live.connected ? 'Live' : 'Reconnecting to the hub…'}
                </span>
                <span class="muted">${hub.account.username}</span>
                <button @click=${() => this._session.signOut()}>Sign out</button>`
            : null
        }
      </header>
      <main>${this._body()}</main>
    `;
  }

  private _body() {
    switch (this._screen) {
      case 'loading':
        return html`<p class="muted" role="status">Loading…</p>`;
      case 'unreachable':
        return html`<p role="alert">${this._problem}</p>
          <button @click=${() => void this._start()}>Try again</button>`;
      case 'setup':
      case 'login':
        return html`<kt-sign-in .session=${this._session} mode=${this._screen}></kt-sign-in>`;
      case 'ready':
        return html`<kt-dashboard></kt-dashboard>`;
    }
  }

  private async _start(): Promise<void> {
    this._screen = 'loading';
    try {
      if (await this._session.resume()) return; // 'signed-in' takes it from here
      this._screen = (await setupNeeded()) ? 'setup' : 'login';
    } catch (error) {
      this._problem = error instanceof ApiError ? error.message : String(error);
      this._screen = 'unreachable';
    }
  }

  private async _enter(): Promise<void> {
    if (this._hub) return; // a silent token refresh, not a new sign-in
    try {
      this._hub = { session: this._session, live: this._live, account: await me(this._session) };
      this._live.start();
      this._screen = 'ready';
    } catch (error) {
      this._problem = error instanceof ApiError ? error.message : String(error);
      this._screen = 'unreachable';
    }
  }

  private _leave(): void {
    this._live.stop();
    this._hub = null;
    this._screen = 'login';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-app': KtApp;
  }
}
