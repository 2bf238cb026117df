import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { consume } from '@lit/context';
import { canChange, hubContext, type HubContext } from '../data/context';
import { WatchController } from '../data/watch';
import { sharedStyles } from './shared-styles';
import './kt-add-pc';
import './kt-children-editor';
import type { DeviceRevokedEvent } from './kt-device-row';
import './kt-device-row';

/** The household's PCs (add, rename, revoke, whose logins are whose) and its children. */
@customElement('kt-devices-page')
export class KtDevicesPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      p,
      kt-add-pc,
      .devices {
        margin: 0 0 1rem;
      }
      p.status:empty {
        margin: 0;
      }
      .devices {
        display: grid;
        gap: 1rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 24rem), 1fr));
      }
      .empty {
        border-style: dashed;
      }
    `,
  ];

  @consume({ context: hubContext }) private _hub!: HubContext;
  /** "Kitchen PC is revoked.": said here, since the PC's own card is gone. */
  @state() private _revoked = '';

  constructor() {
    super();
    new WatchController(this, () => this._hub?.store);
  }

  override render() {
    const { store } = this._hub;
    const readOnly = !canChange(this._hub);
    const devices = [...store.devices.values()].sort((a, b) => a.name.localeCompare(b.name));
    const logins = [...store.logins.values()].sort((a, b) => a.login.localeCompare(b.login));
    return html`
      <h1 class="page-title">PCs</h1>
      ${readOnly ? html`<p class="muted">You can look but not change anything (viewer account).</p>` : nothing}
      <kt-add-pc ?disabled=${readOnly}></kt-add-pc>
      <p class="status" role="status">${this._revoked}</p>
      ${store.error ? html`<p role="alert">${store.error}</p>` : nothing}
      ${
        !store.loaded
          ? store.error
            ? nothing
            : html`<p class="muted" role="status">Loading…</p>`
          : devices.length === 0
            ? html`<p class="card empty">
                No PCs yet. "Add a PC" gives you one command to run on the child's PC (it then appears here by
                itself), or connects to a PC over SSH.
              </p>`
            : html`<div
                class="devices"
                @kt-device-revoked=${(event: DeviceRevokedEvent) =>
                  (this._revoked = `${event.deviceName} is revoked. Enroll it again with "Add a PC" to bring it back.`)}
              >
                ${repeat(
                  devices,
                  (device) => device.id,
                  (device) =>
                    html`<kt-device-row
                      .device=${device}
                      .logins=${logins.filter((login) => login.deviceId === device.id)}
                      .kids=${store.children}
                      ?readOnly=${readOnly}
                    ></kt-device-row>`,
                )}
              </div>`
      }
      ${store.loaded ? html`<kt-children-editor .kids=${store.children} ?readOnly=${readOnly}></kt-children-editor>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-devices-page': KtDevicesPage;
  }
}
