import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { provide } from '@lit/context';
import type { SignInOptions } from '@kidtime/protocol';
import { ApiError, Session, me, setupStatus, signInOptions } from './data/api';
import { parseOidcLanding, takeOidcStarted } from './data/oidc';
import { hubContext, type HubContext } from './data/context';
import { LiveConnection } from './data/live';
import { href, parseRoute, type Route } from './data/router';
import { HubStore } from './data/store';
import { sharedStyles } from './components/shared-styles';
import './components/kt-dashboard';
import './components/kt-sign-in';
import { PIN_LOCK_AFTER_MS } from './components/kt-quick-pin-card';
import './components/kt-child-page';
import './components/kt-usage-page';
import './components/kt-activity-page';
import './components/kt-devices-page';
import './components/kt-accounts-page';
import './components/kt-totp-card';

type Screen = 'loading' | 'setup' | 'setup-elsewhere' | 'login' | 'second-factor' | 'ready' | 'unreachable';

/** 24 px line icons, drawn for this app: a clock, bars, a list, a screen, a person. */
const ICONS = {
  home: svg`<circle cx="12" cy="12" r="9" /><path d="M12 7v5l3.5 2" />`,
  usage: svg`<path d="M5 20V11M10 20V5M15 20v-8M20 20v-4M3 20h18" />`,
  activity: svg`<path d="M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01" />`,
  devices: svg`<rect x="3" y="4" width="18" height="12" rx="2" /><path d="M8 20h8M12 16v4" />`,
  accounts: svg`<circle cx="12" cy="8" r="4" /><path d="M4 21c1.5-4 4.5-6 8-6s6.5 2 8 6" />`,
};

const NAV: ReadonlyArray<{ page: keyof typeof ICONS; label: string }> = [
  { page: 'home', label: 'Today' },
  { page: 'usage', label: 'Usage' },
  { page: 'activity', label: 'Activity' },
  { page: 'devices', label: 'PCs' },
  { page: 'accounts', label: 'Account' },
];

/**
 * The app shell: signs in (or sets up the first account), then shows the screen the URL names, with live
 * updates. When the session can no longer be renewed, it asks for the password again over the screen the
 * parent was using, so a half-edited schedule is still there afterwards.
 */
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
        position: sticky;
        top: 0;
        z-index: 2;
        display: flex;
        align-items: center;
        gap: 0.75rem;
        padding: 0.5rem 1rem;
        border-bottom: 1px solid var(--kt-border);
        background: var(--kt-card);
      }
      .brand {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        font-size: 1.2rem;
        font-weight: 700;
        margin: 0;
        color: inherit;
        text-decoration: none;
      }
      .spacer {
        flex: 1;
      }
      main {
        max-width: 72rem;
        margin: 0 auto;
        padding: 1rem 1rem 6rem;
      }
      .live {
        font-size: 0.85rem;
      }
      .live.on {
        color: var(--kt-ok);
      }
      nav ul {
        display: flex;
        margin: 0;
        padding: 0;
        list-style: none;
      }
      nav a {
        display: flex;
        align-items: center;
        justify-content: center;
        gap: 0.4rem;
        min-height: 44px;
        padding: 0 0.8rem;
        border-radius: 0.6rem;
        color: var(--kt-muted);
        text-decoration: none;
        font-weight: 600;
      }
      nav a[aria-current='page'] {
        color: var(--kt-accent);
        background: var(--kt-accent-soft);
      }
      .icon {
        width: 1.4rem;
        height: 1.4rem;
        fill: none;
        stroke: currentColor;
        stroke-width: 2;
        stroke-linecap: round;
        stroke-linejoin: round;
      }
      /* Phones: the navigation is a tab bar under the thumb. */
      @media (max-width: 47.99rem) {
        nav {
          position: fixed;
          inset: auto 0 0 0;
          z-index: 2;
          background: var(--kt-card);
          border-top: 1px solid var(--kt-border);
          padding-bottom: env(safe-area-inset-bottom);
        }
        nav ul {
          justify-content: space-around;
        }
        nav li {
          flex: 1;
        }
        nav a {
          flex-direction: column;
          gap: 0;
          padding: 0.3rem 0;
          font-size: 0.75rem;
        }
        .who {
          display: none;
        }
      }
      .reauth {
        position: fixed;
        inset: 0;
        z-index: 3;
        display: grid;
        align-content: center;
        padding: 1rem;
        background: color-mix(in srgb, var(--kt-bg) 85%, transparent);
      }
    `,
  ];

  private readonly _session = new Session();
  private readonly _live = new LiveConnection(this._session);
  @provide({ context: hubContext }) @state() private _hub: HubContext | null = null;
  @state() private _screen: Screen = 'loading';
  @state() private _problem = '';
  @state() private _route: Route = parseRoute(location.hash);
  /** The session expired while signed in: sign in again over the current screen. */
  @state() private _reauth = false;
  /** What the login page offers (null until read). */
  @state() private _signInOptions: SignInOptions | null = null;
  /** Why the identity provider's sign-in just failed, for the login page. */
  @state() private _oidcProblem = '';

  override connectedCallback(): void {
    super.connectedCallback();
    this._session.addEventListener('signed-in', () => void this._enter());
    this._session.addEventListener('signed-out', () => this._leave());
    this._session.addEventListener('expired', () => {
      // The sign-in over the current screen offers what the login page would (the provider's button too).
      if (!this._signInOptions)
        void signInOptions()
          .then((options) => (this._signInOptions = options))
          .catch(() => undefined);
      if (this._hub) this._reauth = true;
      else this._leave();
    });
    this._live.addEventListener('change', () => this.requestUpdate());
    window.addEventListener('hashchange', this._onHashChange);
    document.addEventListener('visibilitychange', this._onVisibilityChange);
    void this._start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this._onHashChange);
    document.removeEventListener('visibilitychange', this._onVisibilityChange);
  }

  override render() {
    const hub = this._hub;
    return html`
      <header>
        <a class="brand" href=${href({ page: 'home' })}>
          <img src="/icon.svg" width="28" height="28" alt="" />Kidtime
        </a>
        ${hub && this._screen === 'ready' ? this._nav() : nothing}
        <span class="spacer"></span>
        ${
          hub
            ? html`${
                  this._screen === 'ready'
                    ? html`<span class="live ${this._live.connected ? 'on' : 'muted'}" role="status">
                        ${this._live.connected ? 'Live' : 'Offline, reconnecting…'}
                      </span>`
                    : nothing
                }
                <span class="muted who">${hub.account.username}</span>
                <button @click=${() => void this._signOut()}>Sign out</button>`
            : nothing
        }
      </header>
      <main>${this._body()}</main>
      ${
        this._reauth
          ? html`<div class="reauth">
              <kt-sign-in
                .session=${this._session}
                mode="login"
                .oidc=${this._signInOptions?.oidc ?? null}
                ?passwordForm=${this._signInOptions?.passwordForm ?? true}
                .username=${this._hub?.account.username ?? ''}
                note="Your session has ended. Sign in again to carry on where you were."
              ></kt-sign-in>
            </div>`
          : nothing
      }
    `;
  }

  private _nav() {
    const current = this._route.page === 'child' || this._route.page === 'login' ? 'home' : this._route.page;
    return html`<nav aria-label="Main">
      <ul>
        ${NAV.map(
          (item) =>
            html`<li>
              <a
                href=${href({ page: item.page } as Route)}
                aria-current=${current === item.page ? 'page' : 'false'}
              >
                <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">${ICONS[item.page]}</svg
                >${item.label}
              </a>
            </li>`,
        )}
      </ul>
    </nav>`;
  }

  private _body() {
    switch (this._screen) {
      case 'loading':
        return html`<p class="muted" role="status">Loading…</p>`;
      case 'unreachable':
        return html`<p role="alert">${this._problem}</p>
          <button @click=${() => void this._start()}>Try again</button>`;
      case 'setup-elsewhere':
        return html`<section class="card" aria-labelledby="setup-title">
          <h2 id="setup-title">This hub has no account yet</h2>
          <p>
            For safety, the owner account can only be created on the hub's own machine: open
            <code>http://localhost:8080</code> there (with the hub's port), or run
            <code>npm run create-account -- -u NAME -p PASSWORD</code> in the hub's folder. Then sign in here.
          </p>
          <button @click=${() => void this._start()}>I have done it: sign in</button>
        </section>`;
      case 'setup':
      case 'login':
        return html`<kt-sign-in
          .session=${this._session}
          mode=${this._screen}
          .oidc=${this._signInOptions?.oidc ?? null}
          ?passwordForm=${this._signInOptions?.passwordForm ?? true}
          .problem=${this._oidcProblem}
        ></kt-sign-in>`;
      case 'second-factor':
        // The household requires two-step sign-in and this account has none yet: nothing else works until then.
        return html`<kt-totp-card required @totp-changed=${() => location.reload()}></kt-totp-card>`;
      case 'ready':
        // Keyed by account: another parent signing in over an ended session gets fresh screens.
        return keyed(this._hub?.account.id, this._page(this._route));
    }
  }

  private _page(route: Route) {
    switch (route.page) {
      case 'home':
        return html`<kt-dashboard></kt-dashboard>`;
      case 'child':
        return html`<kt-child-page .childId=${route.childId}></kt-child-page>`;
      case 'login':
        return html`<kt-child-page
          .target=${{ deviceId: route.deviceId, login: route.login }}
        ></kt-child-page>`;
      case 'usage':
        return html`<kt-usage-page></kt-usage-page>`;
      case 'activity':
        return html`<kt-activity-page></kt-activity-page>`;
      case 'devices':
        return html`<kt-devices-page></kt-devices-page>`;
      case 'accounts':
        return html`<kt-accounts-page></kt-accounts-page>`;
    }
  }

  /**
   * A phone with a quick PIN locks when the app has been away a while: back to the PIN, so a child who picks
   * the phone up later cannot carry on where the parent left off.
   */
  private _hiddenAt: number | null = null;
  private readonly _onVisibilityChange = () => {
    if (document.visibilityState === 'hidden') {
      this._hiddenAt = Date.now();
      return;
    }
    const away = this._hiddenAt === null ? 0 : Date.now() - this._hiddenAt;
    this._hiddenAt = null;
    if (this._hub && away >= PIN_LOCK_AFTER_MS && this._session.phoneTrust()) void this._session.signOut();
  };

  private readonly _onHashChange = () => {
    this._route = parseRoute(location.hash);
    window.scrollTo(0, 0);
  };

  private async _start(): Promise<void> {
    this._screen = 'loading';
    try {
      if (await this._finishOidc()) return; // 'signed-in' takes it from here
      if (await this._session.resume()) return; // 'signed-in' takes it from here
      const status = await setupStatus();
      if (!status.setupNeeded && !(await this._signInForm())) return;
      this._screen = !status.setupNeeded ? 'login' : status.allowedHere ? 'setup' : 'setup-elsewhere';
    } catch (error) {
      this._problem = error instanceof ApiError ? error.message : String(error);
      this._screen = 'unreachable';
    }
  }

  /**
   * Back from the identity provider (`#/signed-in?…`): the one-time code is exchanged for a session (true), or
   * the hub's reason for refusing is kept for the login page. The code leaves the address bar either way.
   */
  private async _finishOidc(): Promise<boolean> {
    const landing = parseOidcLanding(location.hash);
    if (!landing) return false;
    history.replaceState(null, '', `${location.pathname}${location.search}${landing.then}`);
    this._route = parseRoute(location.hash);
    this._oidcProblem = takeOidcStarted() ? (landing.error ?? '') : '';
    if (!landing.code) return false;
    try {
      await this._session.oidcExchange(landing.code);
      this._oidcProblem = '';
      return true;
    } catch (error) {
      this._oidcProblem = error instanceof ApiError ? error.message : String(error);
      return false;
    }
  }

  /** Signs out here, and at the identity provider too when the hub is set to (OIDC_PROVIDER_LOGOUT). */
  private async _signOut(): Promise<void> {
    const provider =
      this._hub?.account.source === 'oidc' ? await this._session.providerLogoutUrl().catch(() => null) : null;
    await this._session.signOut();
    if (provider) location.assign(provider);
  }

  /**
   * Behind the household's sign-in proxy the parent is signed in already: false once that worked (or when
   * there is nothing else to offer, with the reason shown); true when the password form is the way in.
   */
  private async _signInForm(): Promise<boolean> {
    const options = await signInOptions();
    this._signInOptions = options;
    if (!options.methods.includes('proxy')) return true;
    try {
      await this._session.proxyLogin();
      return false; // 'signed-in' takes it from here
    } catch (error) {
      if (options.passwordForm || options.oidc) return true;
      this._problem = error instanceof ApiError ? error.message : String(error);
      this._screen = 'unreachable';
      return false;
    }
  }

  private async _enter(): Promise<void> {
    if (this._hub && !this._reauth) return; // a silent token refresh
    this._oidcProblem = '';
    try {
      if (this._hub) {
        const account = await me(this._session);
        if (this._hub.account.id === account.id) {
          // The same parent signed in again after the session ended: carry on.
          this._reauth = false;
          this._live.reconnect();
          return;
        }
        this._hub.store.stop();
      }
      // Who is signed in and the household are read side by side: one round trip less before the dashboard.
      // The live connection opens once the account may use it (not before its required second factor).
      const store = new HubStore(this._session, this._live);
      const loading = store.load();
      const account = await me(this._session);
      if (account.totpRequired && !account.totp) {
        this._hub = { session: this._session, live: this._live, store, account };
        this._reauth = false;
        this._screen = 'second-factor';
        return;
      }
      store.start();
      this._live.start();
      await loading;
      this._hub = { session: this._session, live: this._live, store, account };
      this._reauth = false;
      this._screen = 'ready';
    } catch (error) {
      this._problem = error instanceof ApiError ? error.message : String(error);
      this._screen = 'unreachable';
    }
  }

  private _leave(): void {
    this._hub?.store.stop();
    this._live.stop();
    this._hub = null;
    this._reauth = false;
    this._screen = 'login';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-app': KtApp;
  }
}
