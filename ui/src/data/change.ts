import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ApiError } from './api';

/**
 * One change at a time from a management screen: busy while it runs, the hub's reason when it is refused,
 * what happened in words when it went through — said only once `reload` (the screen's data read again,
 * either way) has finished, so the message and the screen agree.
 */
export class ChangeController implements ReactiveController {
  busy = false;
  message = '';
  error = '';

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly reload: () => Promise<void>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  async run(change: () => Promise<string>): Promise<void> {
    this.busy = true;
    this.message = '';
    this.error = '';
    this.host.requestUpdate();
    let message = '';
    try {
      message = await change();
    } catch (error) {
      this.fail(error);
    }
    await this.reload();
    this.busy = false;
    this.message = message;
    this.host.requestUpdate();
  }

  /** Shows a refusal that did not come from a change (reading the screen's data failed). */
  fail(error: unknown): void {
    this.error = error instanceof ApiError ? error.message : String(error);
    this.host.requestUpdate();
  }
}
