import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Re-renders its host whenever something it reads (the store, the live connection) dispatches `change`,
 * and stops listening when the host leaves the page.
 */
export class WatchController implements ReactiveController {
  private target: EventTarget | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly source: () => EventTarget | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.target = this.source();
    this.target?.addEventListener('change', this.update);
  }

  hostDisconnected(): void {
    this.target?.removeEventListener('change', this.update);
    this.target = undefined;
  }

  private readonly update = () => this.host.requestUpdate();
}
