import { ApiError } from './api';
import { ChangeController } from './change';

describe('ChangeController', () => {
  const host = () => ({ addController: jest.fn(), requestUpdate: jest.fn(), removeController: jest.fn() });

  it('is busy while the change runs, and says what happened only after the data was read again', async () => {
    const seen: string[] = [];
    const changes: ChangeController = new ChangeController(host() as never, async () => {
      seen.push(`reload busy=${changes.busy} message="${changes.message}"`);
    });
    await changes.run(async () => {
      seen.push(`change busy=${changes.busy}`);
      return 'Kitchen PC renamed.';
    });
    expect(seen).toEqual(['change busy=true', 'reload busy=true message=""']);
    expect(changes).toMatchObject({ busy: false, message: 'Kitchen PC renamed.', error: '' });
  });

  it("shows the hub's reason for a refusal, and still reads the data again", async () => {
    const reload = jest.fn(async () => undefined);
    const changes = new ChangeController(host() as never, reload);
    await changes.run(async () => {
      throw new ApiError(403, 'You are the only owner; make someone else owner first');
    });
    expect(reload).toHaveBeenCalledTimes(1);
    expect(changes).toMatchObject({
      busy: false,
      message: '',
      error: 'You are the only owner; make someone else owner first',
    });
    await changes.run(async () => 'Done.');
    expect(changes.error).toBe('');
  });
});
