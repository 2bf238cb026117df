import type {
  AccountView,
  ApiTokenCreated,
  ApiTokenScope,
  ApiTokenView,
  SessionView,
  SignInOptions,
  AuditEntryView,
  ChildTimeResponse,
  ChildView,
  CommandView,
  DeviceView,
  EnrollmentCreated,
  HaLoginCreated,
  HomeAssistantStatus,
  MeView,
  RecoveryCodes,
  TotpSetup,
  TotpStatus,
  ManagedUserView,
  Member,
  PlaytimeRequest,
  Role,
  ScheduleRequest,
  TimeResponse,
  TokenPair,
  TrustedDeviceCreated,
  TrustedDeviceView,
  UsageDayView,
} from '@kidtime/protocol';

/** A refused request, with the hub's own reason (it names the field or says what to do). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The rest of the hub's answer (e.g. `attemptsLeft`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** What the hub asks of the app next, e.g. `totp` when a sign-in needs a code. */
  get secondFactor(): string | null {
    return typeof this.details.secondFactor === 'string' ? this.details.secondFactor : null;
  }
}

const REFRESH_KEY = 'kidtime.refreshToken';
const TRUST_KEY = 'kidtime.trustedPhone';

/** This phone's trust for the quick PIN: its random secret, kept only here, and whose phone it is. */
export interface PhoneTrust {
  id: string;
  secret: string;
  username: string;
  name: string;
}
const UNREACHABLE = 'The hub cannot be reached. Is it running, and is this device on the home network?';

/**
 * The signed-in session: a short-lived access token in memory and the refresh token in local storage, so a
 * parent's phone stays signed in. On a phone trusted for the quick PIN the refresh token lives only as long as
 * the app is open (session storage), so opening it again asks for the PIN. Every request goes through here; a
 * 401 refreshes once, silently, and retries. When the session cannot be renewed it ends and says so
 * (`signed-out`), and the app shows the login.
 */
export class Session extends EventTarget {
  accessToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;

  constructor(
    private readonly storage: Storage = localStorage,
    private readonly openStorage: Storage = sessionStorage,
  ) {
    super();
  }

  /** Signs in again from the stored refresh token, if there is one. */
  resume(): Promise<boolean> {
    return this.tokens().getItem(REFRESH_KEY) ? this.refresh() : Promise.resolve(false);
  }

  /** This phone's quick-PIN trust, if it has one. */
  phoneTrust(): PhoneTrust | null {
    try {
      const trust = JSON.parse(this.storage.getItem(TRUST_KEY) ?? 'null') as Partial<PhoneTrust> | null;
      return trust && typeof trust.id === 'string' && typeof trust.secret === 'string'
        ? { id: trust.id, secret: trust.secret, username: String(trust.username), name: String(trust.name) }
        : null;
    } catch {
      return null;
    }
  }

  /** Unlocks with the quick PIN; when the hub says the trust is over, the phone forgets it. */
  async unlock(pin: string): Promise<void> {
    const trust = this.phoneTrust();
    if (!trust) throw new ApiError(0, 'This phone has no quick PIN; sign in with your password');
    try {
      this.keep(await send<TokenPair>('POST', '/api/auth/pin', { deviceId: trust.id, secret: trust.secret, pin }));
    } catch (error) {
      if (error instanceof ApiError && error.details.trust === 'gone') this.storage.removeItem(TRUST_KEY);
      throw error;
    }
  }

  /** Trusts this phone with a quick PIN; from now on reopening the app asks for it. */
  async trustPhone(pin: string): Promise<TrustedDeviceView> {
    const { body } = await this.request<TrustedDeviceCreated>('POST', '/api/auth/trusted-devices', { pin });
    const { secret, ...view } = body;
    const refreshToken = this.tokens().getItem(REFRESH_KEY);
    this.storage.setItem(TRUST_KEY, JSON.stringify({ id: view.id, secret, username: view.username, name: view.name }));
    this.storage.removeItem(REFRESH_KEY);
    if (refreshToken) this.openStorage.setItem(REFRESH_KEY, refreshToken);
    return view;
  }

  /** Stops using the quick PIN on this phone: the hub ends the trust, and the phone stays signed in as before. */
  async forgetPhone(): Promise<void> {
    const trust = this.phoneTrust();
    if (!trust) return;
    await this.request('DELETE', `/api/auth/trusted-devices/${trust.id}`).catch((error: unknown) => {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    });
    const refreshToken = this.tokens().getItem(REFRESH_KEY);
    this.storage.removeItem(TRUST_KEY);
    this.openStorage.removeItem(REFRESH_KEY);
    if (refreshToken) this.storage.setItem(REFRESH_KEY, refreshToken);
  }

  /** Where the refresh token is kept: for the app's lifetime on a phone with a quick PIN, else for good. */
  private tokens(): Storage {
    return this.phoneTrust() ? this.openStorage : this.storage;
  }

  /** `code`: from the authenticator app (or a recovery code), when the hub asked for one. */
  async login(username: string, password: string, code?: string): Promise<void> {
    this.keep(await send<TokenPair>('POST', '/api/auth/login', { username, password, ...(code ? { code } : {}) }));
  }

  /** Signs in as the person the household's sign-in proxy (in front of the hub) has already checked. */
  async proxyLogin(): Promise<void> {
    this.keep(await send<TokenPair>('POST', '/api/auth/proxy', {}));
  }

  /** Finishes a sign-in at the identity provider: the hub's one-time code for the session's tokens. */
  async oidcExchange(code: string): Promise<void> {
    this.keep(await send<TokenPair>('POST', '/api/auth/oidc/exchange', { code }));
  }

  /** The identity provider's sign-out page, when the hub is set to sign out there too (else null). */
  async providerLogoutUrl(): Promise<string | null> {
    const { body } = await this.request<{ url: string | null }>('GET', '/api/auth/oidc/logout-url');
    return body.url;
  }

  async setup(username: string, password: string): Promise<void> {
    await send('POST', '/api/setup', { username, password });
    await this.login(username, password);
  }

  /**
   * The parent signs out: the hub ends this session (its tokens stop working everywhere), then `signed-out`.
   * Signing out works offline too: the tokens are forgotten here either way.
   */
  async signOut(): Promise<void> {
    if (this.accessToken) await this.request('POST', '/api/auth/logout').catch(() => undefined);
    this.end('signed-out');
  }

  /** Changes the signed-in account's password; the hub ends every other session and returns a new pair. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    const { body } = await this.request<TokenPair>('POST', '/api/auth/password', { currentPassword, newPassword });
    this.keep(body);
  }

  /** A file the hub builds (CSV exports), fetched with the access token. */
  async download(path: string): Promise<Blob> {
    const get = () =>
      fetch(path, { headers: this.accessToken ? { authorization: `Bearer ${this.accessToken}` } : {} });
    let response = await get().catch(() => null);
    if (response?.status === 401 && (await this.refresh())) response = await get().catch(() => null);
    if (!response) throw new ApiError(0, UNREACHABLE);
    if (!response.ok) throw new ApiError(response.status, `The hub answered ${response.status}`);
    return response.blob();
  }

  /**
   * The session could not be renewed (it expired, or was signed out elsewhere): `expired`. The app asks the
   * parent to sign in again over what they were doing, rather than throwing it away.
   */
  private end(reason: 'signed-out' | 'expired'): void {
    this.accessToken = null;
    this.storage.removeItem(REFRESH_KEY);
    this.openStorage.removeItem(REFRESH_KEY);
    this.dispatchEvent(new Event(reason));
  }

  /** A new token pair from the refresh token; concurrent callers share one refresh (each token works once). */
  refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const refreshToken = this.tokens().getItem(REFRESH_KEY);
      if (!refreshToken) return false;
      try {
        this.keep(await send<TokenPair>('POST', '/api/auth/refresh', { refreshToken }));
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) this.end('expired');
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
    this.tokens().setItem(REFRESH_KEY, pair.refreshToken);
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
    throw new ApiError(0, UNREACHABLE);
  }
  const parsed = (await response.json().catch(() => null)) as (T & { message?: unknown; secondFactor?: unknown }) | null;
  if (!response.ok) {
    const message = typeof parsed?.message === 'string' ? parsed.message : `The hub answered ${response.status}`;
    throw new ApiError(response.status, message, parsed ?? {});
  }
  return { status: response.status, body: parsed as T };
}

// Data functions: the only place the UI builds requests.

/** Whether the hub has no account yet, and whether the owner can be created from this browser. */
export function setupStatus(): Promise<{ setupNeeded: boolean; allowedHere: boolean }> {
  return send('GET', '/api/setup');
}

export async function me(session: Session): Promise<MeView> {
  return (await session.request<MeView>('GET', '/api/auth/me')).body;
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
  const base = userPath(deviceId, login);
  return change.op === 'lock'
    ? session.request<TimeResponse>('POST', `${base}/lock`, {})
    : session.request<TimeResponse>('POST', `${base}/time`, change);
}

const userPath = (deviceId: string, login: string) =>
  `/api/devices/${encodeURIComponent(deviceId)}/users/${encodeURIComponent(login)}`;

/** One request per change to all of a child's logins; each login's outcome is in `results`. */
export async function changeChildTime(
  session: Session,
  childId: string,
  change: TimeChange,
): Promise<ChildTimeResponse> {
  const body = change.op === 'lock' ? { op: 'set', seconds: 0 } : change;
  return (await session.request<ChildTimeResponse>('POST', `/api/children/${childId}/time`, body)).body;
}

/** 200: applied and read back; 202: queued for a PC that is offline. */
export function changeSchedule(
  session: Session,
  deviceId: string,
  login: string,
  change: ScheduleRequest,
): Promise<{ status: number; body: TimeResponse }> {
  return session.request<TimeResponse>('PATCH', `${userPath(deviceId, login)}/schedule`, change);
}

export function changePlaytime(
  session: Session,
  deviceId: string,
  login: string,
  change: PlaytimeRequest,
): Promise<{ status: number; body: TimeResponse }> {
  return session.request<TimeResponse>('PATCH', `${userPath(deviceId, login)}/playtime`, change);
}

export async function listChildren(session: Session): Promise<ChildView[]> {
  return (await session.request<ChildView[]>('GET', '/api/children')).body;
}

export async function createChild(session: Session, name: string, members: Member[] = []): Promise<ChildView> {
  return (await session.request<ChildView>('POST', '/api/children', { name, members })).body;
}

export async function updateChild(
  session: Session,
  childId: string,
  change: { name?: string; members?: Member[] },
): Promise<ChildView> {
  return (await session.request<ChildView>('PATCH', `/api/children/${childId}`, change)).body;
}

export async function removeChild(session: Session, childId: string): Promise<void> {
  await session.request('DELETE', `/api/children/${childId}`);
}

export async function createEnrollment(
  session: Session,
  request: { validMinutes?: number; deviceName?: string } = {},
): Promise<EnrollmentCreated> {
  return (await session.request<EnrollmentCreated>('POST', '/api/enrollments', request)).body;
}

export async function renameDevice(session: Session, deviceId: string, name: string): Promise<DeviceView> {
  return (await session.request<DeviceView>('PATCH', `/api/devices/${deviceId}`, { name })).body;
}

/** Revokes the PC's credential: its agent is disconnected and can no longer sign in. */
export async function revokeDevice(session: Session, deviceId: string): Promise<void> {
  await session.request('DELETE', `/api/devices/${deviceId}`);
}

export interface UsageFilter {
  childId?: string;
  deviceId?: string;
  login?: string;
  /** `YYYY-MM-DD`, the PC's local day. */
  from?: string;
  to?: string;
}

export interface AuditFilter {
  from?: string;
  to?: string;
  deviceId?: string;
  login?: string;
  actorId?: string;
  action?: string;
  channel?: string;
  limit?: number;
  /** The last id of the previous page. */
  cursor?: string;
}

function query(params: object): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export async function listUsage(session: Session, filter: UsageFilter): Promise<UsageDayView[]> {
  return (await session.request<UsageDayView[]>('GET', `/api/usage${query(filter)}`)).body;
}

export function usageCsv(session: Session, filter: UsageFilter): Promise<Blob> {
  return session.download(`/api/usage${query({ ...filter, format: 'csv' })}`);
}

export async function listAudit(session: Session, filter: AuditFilter): Promise<AuditEntryView[]> {
  return (await session.request<AuditEntryView[]>('GET', `/api/audit${query(filter)}`)).body;
}

export function auditCsv(session: Session, filter: AuditFilter): Promise<Blob> {
  return session.download(`/api/audit${query({ ...filter, format: 'csv', cursor: undefined })}`);
}

export async function listAccounts(session: Session): Promise<AccountView[]> {
  return (await session.request<AccountView[]>('GET', '/api/accounts')).body;
}

export async function createAccount(
  session: Session,
  account: { username: string; password: string; role: Role },
): Promise<AccountView> {
  return (await session.request<AccountView>('POST', '/api/accounts', account)).body;
}

export async function changeRole(session: Session, accountId: string, role: Role): Promise<AccountView> {
  return (await session.request<AccountView>('PATCH', `/api/accounts/${accountId}`, { role })).body;
}

export async function removeAccount(session: Session, accountId: string): Promise<void> {
  await session.request('DELETE', `/api/accounts/${accountId}`);
}

/** What the login page offers: the password form, the identity provider, the sign-in proxy. */
export function signInOptions(): Promise<SignInOptions> {
  return send<SignInOptions>('GET', '/api/auth/options');
}

/** How Home Assistant connects to this hub: MQTT, discovery, the broker address and its login (no password). */
export async function homeAssistantStatus(session: Session): Promise<HomeAssistantStatus> {
  return (await session.request<HomeAssistantStatus>('GET', '/api/home-assistant')).body;
}

/** Creates Home Assistant's broker login, or replaces its password (owner): the password comes only now. */
export async function createHaLogin(session: Session): Promise<HaLoginCreated> {
  return (await session.request<HaLoginCreated>('POST', '/api/home-assistant/login', {})).body;
}

/** Removes Home Assistant's broker login (owner); Home Assistant is disconnected. */
export async function removeHaLogin(session: Session): Promise<void> {
  await session.request('DELETE', '/api/home-assistant/login');
}

/** Your signed-in devices, most recently used first. */
export async function listSessions(session: Session): Promise<SessionView[]> {
  return (await session.request<SessionView[]>('GET', '/api/auth/sessions')).body;
}

/** Signs one of your other devices out: its tokens stop working at once. */
export async function signOutSession(session: Session, id: string): Promise<void> {
  await session.request('DELETE', `/api/auth/sessions/${id}`);
}

/** Signs out every device of yours but this one; how many were signed out. */
export async function signOutOthers(session: Session): Promise<number> {
  return (await session.request<{ signedOut: number }>('DELETE', '/api/auth/sessions')).body.signedOut;
}

/** Your API tokens (an owner sees everyone's), without their secrets. */
export async function listApiTokens(session: Session): Promise<ApiTokenView[]> {
  return (await session.request<ApiTokenView[]>('GET', '/api/tokens')).body;
}

/** A new API token; its secret is in this answer only. */
export async function createApiToken(
  session: Session,
  request: { name: string; scope: ApiTokenScope; expiresInDays: number | null },
): Promise<ApiTokenCreated> {
  return (await session.request<ApiTokenCreated>('POST', '/api/tokens', request)).body;
}

export async function revokeApiToken(session: Session, id: string): Promise<void> {
  await session.request('DELETE', `/api/tokens/${id}`);
}

export async function listTrustedPhones(session: Session): Promise<TrustedDeviceView[]> {
  return (await session.request<TrustedDeviceView[]>('GET', '/api/auth/trusted-devices')).body;
}

/** Ends a phone's quick PIN (an owner: anyone's) and signs out what it unlocked. */
export async function endTrustedPhone(session: Session, id: string): Promise<void> {
  await session.request('DELETE', `/api/auth/trusted-devices/${id}`);
}

/** Your two-step sign-in, and whether the household requires it. */
export async function totpStatus(session: Session): Promise<TotpStatus> {
  return (await session.request<TotpStatus>('GET', '/api/auth/totp')).body;
}

/** Starts setting up an authenticator app: the secret and its QR code, pending until a code enables it. */
export async function setUpTotp(session: Session, password: string): Promise<TotpSetup> {
  return (await session.request<TotpSetup>('POST', '/api/auth/totp/setup', { password })).body;
}

/** Turns two-step sign-in on; the recovery codes come only now. Other devices are signed out. */
export async function enableTotp(session: Session, code: string): Promise<RecoveryCodes> {
  return (await session.request<RecoveryCodes>('POST', '/api/auth/totp/enable', { code })).body;
}

/** Turns two-step sign-in off (password and a code, or a recovery code). Other devices are signed out. */
export async function disableTotp(session: Session, password: string, code: string): Promise<void> {
  await session.request('POST', '/api/auth/totp/disable', { password, code });
}

/** New recovery codes for a code from the app; the old ones stop working. */
export async function renewRecoveryCodes(session: Session, code: string): Promise<RecoveryCodes> {
  return (await session.request<RecoveryCodes>('POST', '/api/auth/totp/recovery-codes', { code })).body;
}

/** Requires (or no longer requires) two-step sign-in of every password account (owner). */
export async function requireTotp(session: Session, required: boolean): Promise<TotpStatus> {
  return (await session.request<TotpStatus>('PUT', '/api/auth/totp/requirement', { required })).body;
}

/** Turns off someone else's two-step sign-in, e.g. after a lost phone (owner); they are signed out. */
export async function disableTotpFor(session: Session, accountId: string): Promise<void> {
  await session.request('DELETE', `/api/accounts/${accountId}/totp`);
}
