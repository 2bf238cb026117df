import type {
  AccountView,
  ChildView,
  CommandView,
  DeviceView,
  ManagedUserView,
  TimeResponse,
  TokenPair,
} from '@kidtime/protocol';

/** A refused request, with the hub's own reason (it names the field or says what to do). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const REFRESH_KEY = 'kidtime.refreshToken';

/**
 * The signed-in session: a short-lived access token in memory and the refresh token in local storage, so a
 * parent's phone stays signed in. Every request goes through here; a 401 refreshes once, silently, and
 * retries. When the session cannot be renewed it ends and says so (`signed-out`), and the app shows the login.
 */
export class Session extends EventTarget {
  accessToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;

  constructor(private readonly storage: Storage = localStorage) {
    super();
  }

  /** Signs in again from the stored refresh token, if there is one. */
  resume(): Promise<boolean> {
    return this.storage.getItem(REFRESH_KEY) ? this.refresh() : Promise.resolve(false);
  }

  async login(username: string, password: string): Promise<void> {
    this.keep(await send<TokenPair>('POST', '/api/auth/login', { username, password }));
  }

  async setup(username: string, password: string): Promise<void> {
    await send('POST', '/api/setup', { username, password });
    await this.login(username, password);
  }

  signOut(): void {
    this.accessToken = null;
    this.storage.removeItem(REFRESH_KEY);
    this.dispatchEvent(new Event('signed-out'));
  }

  /** A new token pair from the refresh token; concurrent callers share one refresh (each token works once). */
  refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const refreshToken = this.storage.getItem(REFRESH_KEY);
      if (!refreshToken) return false;
      try {
        this.keep(await send<TokenPair>('POST', '/api/auth/refresh', { refreshToken }));
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) this.signOut();
        return false;
      }
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    try {
      return await sendWithStatus<T>(method, path, body, this.accessToken);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401 || !(await this.refresh())) throw error;
      return sendWithStatus<T>(method, path, body, this.accessToken);
    }
  }

  private keep(pair: TokenPair): void {
    this.accessToken = pair.accessToken;
    this.storage.setItem(REFRESH_KEY, pair.refreshToken);
    this.dispatchEvent(new Event('signed-in'));
  }
}

async function send<T>(method: string, path: string, body?: unknown, token?: string | null): Promise<T> {
  return (await sendWithStatus<T>(method, path, body, token)).body;
}

async function sendWithStatus<T>(
  method: string,
  path: string,
  body: unknown,
  token: string | null = null,
): Promise<{ status: number; body: T }> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'The hub cannot be reached. Is it running, and is this device on the home network?');
  }
  const parsed = (await response.json().catch(() => null)) as (T & { message?: unknown }) | null;
  if (!response.ok) {
    const message = typeof parsed?.message === 'string' ? parsed.message : `The hub answered ${response.status}`;
    throw new ApiError(response.status, message);
  }
  return { status: response.status, body: parsed as T };
}

// Data functions: the only place the UI builds requests.

export async function setupNeeded(): Promise<boolean> {
  return (await send<{ setupNeeded: boolean }>('GET', '/api/setup')).setupNeeded;
}

export async function me(session: Session): Promise<AccountView> {
  return (await session.request<AccountView>('GET', '/api/auth/me')).body;
}

export async function listDevices(session: Session): Promise<DeviceView[]> {
  return (await session.request<DeviceView[]>('GET', '/api/devices')).body;
}

export async function listUsers(session: Session, deviceId: string): Promise<ManagedUserView[]> {
  return (await session.request<ManagedUserView[]>('GET', `/api/devices/${deviceId}/users`)).body;
}

export async function pendingCommands(session: Session): Promise<CommandView[]> {
  return (await session.request<CommandView[]>('GET', '/api/commands?status=queued,sent&limit=200')).body;
}

export type TimeChange = { op: 'add' | 'subtract' | 'set'; seconds: number } | { op: 'lock' };

/** 200: applied and read back; 202: queued for a PC that is offline. */
export function changeTime(
  session: Session,
  deviceId: string,
  login: string,
  change: TimeChange,
): Promise<{ status: number; body: TimeResponse }> {
  const base = `/api/devices/${deviceId}/users/${encodeURIComponent(login)}`;
  return change.op === 'lock'
    ? session.request<TimeResponse>('POST', `${base}/lock`, {})
    : session.request<TimeResponse>('POST', `${base}/time`, change);
}

export async function listChildren(session: Session): Promise<ChildView[]> {
  return (await session.request<ChildView[]>('GET', '/api/children')).body;
}
