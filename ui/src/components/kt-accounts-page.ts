import { LitElement, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { sharedStyles } from './shared-styles';

/** PLACEHOLDER: replaced in this change. */
@customElement('kt-accounts-page')
export class KtAccountsPage extends LitElement {
  static override styles = [sharedStyles];

  override render() {
    return html`<p>Coming soon.</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-accounts-page': KtAccountsPage;
  }
}
