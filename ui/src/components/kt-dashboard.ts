import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { ChildTimeResponse } from '@kidtime/protocol';
import { ApiError, changeChildTime, changeTime, type TimeChange } from '../data/api';
import { canChange, hubContext, type HubContext } from '../data/context';
import { duration } from '../data/format';
import { href } from '../data/router';
import { type CommandFinishedEvent, outcome, type LoginView } from '../data/store';
import { WatchController } from '../data/watch';
import { sharedStyles } from './shared-styles';
import type { TimeChangeEvent } from './kt-child-card';
import './kt-child-card';

const QUEUED = 'The PC is offline: queued, it will apply when the PC comes back.';

interface Card {
  id: string;
  name: string;
  link: string;
  logins: LoginView[];
  /** Set for a child; a login no child has yet is changed on its own. */
  childId: string | null;
}

/** One card per child, and one per login no child has yet, kept current by the hub's live updates. */
@customElement('kt-dashboard')
export class KtDashboard extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .cards {
        display: grid;
        gap: 1rem;
        grid-template-columns: repeat(auto-fill, minmax(min(100%, 20rem), 1fr));
      }
      .empty {
        border-style: dashed;
      }
      h2 {
        margin-top: 0;
      }
    `,
  ];

  @consume({ context: hubContext }) private _hub!: HubContext;
  /** The outcome of the last change per card, in words. */
  @state() private _messages = new Map<string, string>();

  constructor() {
    super();
    new WatchController(this, () => this._hub?.store);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._hub.store.addEventListener('finished', this._onFinished);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._hub.store.removeEventListener('finished', this._onFinished);
  }

  override render() {
    const { store } = this._hub;
    if (!store.loaded) {
      return store.error
        ? html`<p role="alert">${store.error}</p>`
        : html`<p class="muted" role="status">Loading…</p>`;
    }
    const cards = this._cards();
    if (cards.length === 0)
      return html`<div class="card empty">
        <h2>No PCs yet</h2>
        <p>Add a child's PC: it takes one command on that PC, and it appears here by itself.</p>
        <a href=${href({ page: 'devices' })}>Add a PC</a>
      </div>`;
    return html`${store.error ? html`<p role="alert">${store.error}</p>` : null}
      <div class="cards" @kt-time-change=${this._onTimeChange}>
        ${cards.map(
          (card) =>
            html`<kt-child-card
              .cardId=${card.id}
              .name=${card.name}
              .link=${card.link}
              .logins=${card.logins}
              .devices=${store.devices}
              .pending=${store.pending}
              .message=${this._messages.get(card.id) ?? ''}
              ?readOnly=${!canChange(this._hub)}
            ></kt-child-card>`,
        )}
      </div>`;
  }

  private _cards(): Card[] {
    const { store } = this._hub;
    const children = [...store.children]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((child) => ({
        id: child.id,
        name: child.name,
        link: href({ page: 'child', childId: child.id }),
        logins: store.loginsOf(child),
        childId: child.id,
      }));
    const unassigned = store.unassigned().map((login) => ({
      id: login.key,
      name: login.login,
      link: href({ page: 'login', deviceId: login.deviceId, login: login.login }),
      logins: [login],
      childId: null,
    }));
    return [...children, ...unassigned];
  }

  private async _onTimeChange(event: TimeChangeEvent): Promise<void> {
    const card = this._cards().find((c) => c.id === event.cardId);
    if (!card) return;
    this._say(card.id, 'Sending…');
    try {
      if (card.childId) {
        this._say(
          card.id,
          this._summarise(await changeChildTime(this._hub.session, card.childId, event.change)),
        );
      } else {
        this._say(card.id, await this._changeLogin(card.logins[0]!, event.change));
      }
    } catch (error) {
      this._say(card.id, error instanceof ApiError ? error.message : String(error));
    }
  }

  private async _changeLogin(login: LoginView, change: TimeChange): Promise<string> {
    const { status, body } = await changeTime(this._hub.session, login.deviceId, login.login, change);
    if (status === 202) {
      this._hub.store.track(body.command);
      return QUEUED;
    }
    this._hub.store.setState(login.key, body.state);
    if (body.warning) return `Done, but: ${body.warning}`;
    return body.state ? `Done: ${duration(body.state.timeLeftToday)} left.` : 'Done.';
  }

  /** One sentence for a change to all of a child's PCs. */
  private _summarise(response: ChildTimeResponse): string {
    const { store } = this._hub;
    const parts: string[] = [];
    for (const result of response.results) {
      const key = `${result.deviceId}/${result.login}`;
      const pc = store.devices.get(result.deviceId)?.name ?? 'a PC';
      if (result.status === 202 && result.command) {
        store.track(result.command);
        parts.push(`${pc} is offline: queued, it will apply when the PC comes back.`);
      } else if (result.status === 200) {
        store.setState(key, result.state);
        if (result.warning) parts.push(`${pc}: done, but: ${result.warning}`);
        else if (result.state && response.results.length > 1)
          parts.push(`${pc}: ${duration(result.state.timeLeftToday)} left.`);
      } else {
        parts.push(`${pc}: ${result.error ?? 'failed'}`);
      }
    }
    if (response.results.length === 0) return 'This child has no PC yet.';
    const only = response.results.length === 1 ? response.results[0] : undefined;
    if (only?.status === 200 && !only.warning)
      return only.state ? `Done: ${duration(only.state.timeLeftToday)} left.` : 'Done.';
    const allApplied = response.results.every((result) => result.status === 200);
    return (allApplied ? ['Done.', ...parts] : parts).join(' ');
  }

  private readonly _onFinished = (event: Event) => {
    const { key, command } = event as CommandFinishedEvent;
    const card = this._cards().find((c) => c.logins.some((login) => login.key === key));
    if (card) this._say(card.id, outcome(command));
  };

  private _say(id: string, message: string): void {
    this._messages = new Map(this._messages).set(id, message);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'kt-dashboard': KtDashboard;
  }
}
