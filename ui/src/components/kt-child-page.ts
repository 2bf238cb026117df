import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { sharedStyles } from './shared-styles';

/** PLACEHOLDER: replaced in this change. */
@customElement('kt-child-page')
export class KtChildPage extends LitElement {
  static override styles = [sharedStyles];
  @property() childId = '';
  @property({ attribute: false }) target: { deviceId: string; login: string } | null = null;

  override render() {
    return html`<p>Coming soon.</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-child-page': KtChildPage;
  }
}
