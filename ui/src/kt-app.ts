import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';

/**
 * Placeholder shell until the full web app lands: tells a parent the hub is up and what to do first.
 */
@customElement('kt-app')
export class KtApp extends LitElement {
  static override styles = css`
    :host {
      display: block;
      max-width: 36rem;
      margin: 0 auto;
      padding: 1.5rem;
      font-family: system-ui, sans-serif;
      line-height: 1.5;
    }
    h1 {
      margin-top: 0;
    }
    code {
      font-size: 0.95em;
    }
  `;

  @state() private _setupNeeded: boolean | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    fetch('/api/setup')
      .then((response) => response.json() as Promise<{ setupNeeded: boolean }>)
      .then((body) => (this._setupNeeded = body.setupNeeded))
      .catch(() => (this._setupNeeded = null));
  }

  override render() {
    return html`
      <h1>Kidtime</h1>
      <p>The hub is running.</p>
      ${
        this._setupNeeded
          ? html`<p>
              No account exists yet. On this machine, create the first owner with
              <code>npm run create-account -- -u NAME -p PASSWORD</code>.
            </p>`
          : null
      }
      <p>
        The web app arrives soon; meanwhile the <a href="/api/docs">API documentation</a> lists everything the
        hub does.
      </p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-app': KtApp;
  }
}
