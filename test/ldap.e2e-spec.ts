/**
 * Signing in with an LDAP directory, end to end: Debian's slapd started by the harness with a family's tree,
 * the built hub with AUTH_METHODS=local,ldap. Roles from groups (and a change in the directory applying at
 * the next sign-in or renewal, leaving every group signing the person out), an outage that signs nobody out, refusals that look like a local wrong password, injection attempts in the username, a
 * name a local account already has, a directory that is down, the throttle, the audit, and no password kept.
 */
import type { AuditEntryView, TokenPair } from '@kidtime/protocol';
import * as sqlite3 from 'sqlite3';
import path from 'node:path';
import { ApiClient } from './support/api-client';
import { HubProcess } from './support/hub-process';
import { SlapdServer, ldifEntry } from './support/slapd';

const SUFFIX = 'dc=kidtime,dc=test';
const PEOPLE = `ou=people,${SUFFIX}`;
const GROUPS = `ou=groups,${SUFFIX}`;
const SERVICE = { dn: `cn=kidtime,ou=services,${SUFFIX}`, password: 'service-account-pw' };
const LOCAL_OWNER = { username: 'alex', password: 'kitchen-phone-42' };
const TRICKY_UID = '*)(uid=*';

const person = (uid: string, password: string, rdn = `uid=${uid}`) =>
  ldifEntry(`${rdn},${PEOPLE}`, {
    objectClass: 'inetOrgPerson',
    uid,
    cn: uid,
    sn: 'Family',
    userPassword: password,
  });
const group = (name: string, members: string[]) =>
  ldifEntry(`cn=${name},${GROUPS}`, { objectClass: 'groupOfNames', cn: name, member: members });
const personDn = (uid: string) => `uid=${uid},${PEOPLE}`;
const moveMember = (uid: string, from: string, to: string) =>
  [
    `dn: cn=${from},${GROUPS}`,
    'changetype: modify',
    'delete: member',
    `member: ${personDn(uid)}`,
    '',
    `dn: cn=${to},${GROUPS}`,
    'changetype: modify',
    'add: member',
    `member: ${personDn(uid)}`,
    '',
  ].join('\n');

const TREE = [
  ldifEntry(SUFFIX, { objectClass: ['dcObject', 'organization'], o: 'Kidtime test family', dc: 'kidtime' }),
  ...['people', 'groups', 'services'].map((ou) =>
    ldifEntry(`ou=${ou},${SUFFIX}`, { objectClass: 'organizationalUnit', ou }),
  ),
  ldifEntry(SERVICE.dn, {
    objectClass: 'person',
    cn: 'kidtime',
    sn: 'service',
    userPassword: SERVICE.password,
  }),
  person('mum', 'mum-ldap-pw'),
  person('dad', 'dad-ldap-pw'),
  person('gran', 'gran-ldap-pw'),
  person('kim', 'kim-ldap-pw'),
  person('lodger', 'lodger-ldap-pw'),
  person('alex', 'alex-ldap-pw'),
  person('tom', 'tom-ldap-pw'),
  person(TRICKY_UID, 'tricky-ldap-pw', 'cn=Tricky'),
  group('kidtime-owners', [personDn('mum')]),
  group('kidtime-parents', [personDn('dad'), personDn('alex')]),
  group('kidtime-viewers', [personDn('gran'), personDn('kim'), personDn('tom')]),
].join('');

interface AccountRow {
  username: string;
  passwordHash: string;
  source: string;
  externalId: string | null;
  role: string;
}

describe('sign in with LDAP', () => {
  let slapd: SlapdServer;
  let hub: HubProcess;
  let owner: ApiClient;

  const login = (username: string, password: string) =>
    new ApiClient(hub.url).post<TokenPair & { message?: string }>('/api/auth/login', { username, password });
  const signedIn = async (username: string, password: string) => {
    const api = new ApiClient(hub.url);
    await api.login(username, password);
    return api;
  };
  const me = async (api: ApiClient) =>
    (await api.get<{ username: string; role: string; source: string }>('/api/auth/me')).body;
  const binds = () => (slapd.log.match(/ BIND dn=/g) ?? []).length;
  const accounts = () =>
    new Promise<AccountRow[]>((resolve, reject) => {
      const db = new sqlite3.Database(path.join(hub.dataDir, 'kidtime.sqlite'), sqlite3.OPEN_READONLY);
      db.all<AccountRow>(
        'SELECT username, passwordHash, source, externalId, role FROM account ORDER BY username',
        (error, rows) => {
          db.close();
          if (error) reject(error);
          else resolve(rows);
        },
      );
    });

  beforeAll(async () => {
    slapd = await SlapdServer.start({ suffix: SUFFIX, ldif: TREE });
    hub = await HubProcess.start({
      AUTH_METHODS: 'local,ldap',
      LDAP_URL: slapd.url,
      LDAP_BIND_DN: SERVICE.dn,
      LDAP_BIND_PASSWORD: SERVICE.password,
      LDAP_SEARCH_BASE: SUFFIX,
      LDAP_OWNER_GROUPS: `cn=kidtime-owners,${GROUPS}`,
      LDAP_PARENT_GROUPS: `cn=kidtime-parents,${GROUPS}`,
      LDAP_VIEWER_GROUPS: `cn=kidtime-viewers,${GROUPS}`,
      LDAP_TIMEOUT: '3',
    });
    const setup = await new ApiClient(hub.url).post('/api/setup', LOCAL_OWNER);
    expect(setup.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
    await slapd?.stop();
  });

  it('offers the password form', async () => {
    const options = await new ApiClient(hub.url).get('/api/auth/options');
    expect(options.body).toMatchObject({ methods: ['local', 'ldap'], passwordForm: true });
  });

  it('signs people in with the role of their highest group, creating their account', async () => {
    owner = await signedIn('mum', 'mum-ldap-pw');
    expect(await me(owner)).toMatchObject({ username: 'mum', role: 'owner' });
    expect(await me(await signedIn('dad', 'dad-ldap-pw'))).toMatchObject({ role: 'parent' });
    expect(await me(await signedIn('gran', 'gran-ldap-pw'))).toMatchObject({ role: 'viewer' });
    // A second sign-in finds the same account.
    await signedIn('mum', 'mum-ldap-pw');
    const rows = await accounts();
    expect(rows.filter((row) => row.username === 'mum')).toEqual([
      { username: 'mum', passwordHash: '', source: 'ldap', externalId: personDn('mum'), role: 'owner' },
    ]);
  });

  it('keeps no password of directory accounts', async () => {
    const rows = await accounts();
    for (const row of rows.filter((row) => row.source === 'ldap')) expect(row.passwordHash).toBe('');
    expect(rows.find((row) => row.username === 'alex')).toMatchObject({ source: 'local' });
    expect(rows.find((row) => row.username === 'alex')?.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('records the sign-in with its method', async () => {
    const audit = await owner.get<AuditEntryView[]>('/api/audit?action=auth.login');
    expect(audit.status).toBe(200);
    const dad = audit.body.find((entry) => entry.actor.name === 'dad' && entry.result === 'ok');
    expect(dad).toMatchObject({ details: { method: 'ldap' } });
  });

  it('refuses a wrong password and an unknown person as a local sign-in would', async () => {
    const wrong = await login('gran', 'not-her-password');
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toBe('Wrong username or password');
    const unknown = await login('nobody', 'whatever-pw');
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toBe('Wrong username or password');
    const audit = await owner.get<AuditEntryView[]>('/api/audit?action=auth.login');
    expect(
      audit.body.find((entry) => entry.actor.name === 'gran' && entry.result === 'refused'),
    ).toMatchObject({
      details: { method: 'ldap' },
      message: 'wrong username or password',
    });
  });

  it('refuses an empty password without asking the directory', async () => {
    const before = binds();
    const empty = await login('gran', '');
    expect([400, 401]).toContain(empty.status);
    expect(binds()).toBe(before);
  });

  it('refuses a person in none of the groups, saying why', async () => {
    const lodger = await login('lodger', 'lodger-ldap-pw');
    expect(lodger.status).toBe(403);
    expect(lodger.body.message).toContain('not in any of the groups allowed to use Kidtime');
    expect((await accounts()).some((row) => row.username === 'lodger')).toBe(false);
  });

  it('looks a username up as it is written, never as a filter', async () => {
    // With the filter built by pasting, these would match mum (or anyone) and her password would let them in.
    expect((await login('*', 'mum-ldap-pw')).status).toBe(401);
    expect((await login(TRICKY_UID, 'mum-ldap-pw')).status).toBe(401);
    expect((await login('mu*', 'mum-ldap-pw')).status).toBe(401);
    expect(slapd.log).toMatch(/filter="\(uid=\\2a\\29\\28uid=\\2a\)"/i);
    // The entry whose uid really is those characters is found, and only it: its password is right, it has no group.
    const tricky = await login(TRICKY_UID, 'tricky-ldap-pw');
    expect(tricky.status).toBe(403);
    expect(tricky.body.message).toContain('not in any of the groups');
  });

  it('never lets a directory entry take over a local account of the same name', async () => {
    const taken = await login('alex', 'alex-ldap-pw');
    expect(taken.status).toBe(401); // local is on and alex is local: checked here, the directory is not asked
    expect(await me(await signedIn(LOCAL_OWNER.username, LOCAL_OWNER.password))).toMatchObject({
      role: 'owner',
      source: 'local',
    });
    expect((await accounts()).filter((row) => row.username === 'alex')).toHaveLength(1);
  });

  it('applies a role change in the directory at the next sign-in', async () => {
    const kim = await signedIn('kim', 'kim-ldap-pw');
    expect(await me(kim)).toMatchObject({ role: 'viewer' });
    await slapd.modify(moveMember('kim', 'kidtime-viewers', 'kidtime-parents'));
    expect(await me(await signedIn('kim', 'kim-ldap-pw'))).toMatchObject({ role: 'parent' });
    expect((await accounts()).filter((row) => row.username === 'kim')).toMatchObject([{ role: 'parent' }]);
    const audit = await owner.get<AuditEntryView[]>('/api/audit?action=account.role');
    expect(audit.body.find((entry) => entry.actor.name === 'kim')).toMatchObject({
      details: { from: 'viewer', to: 'parent', source: 'ldap' },
    });
  });

  it('applies a role change and a removal from every group at the next renewal, without a new sign-in', async () => {
    const gran = new ApiClient(hub.url);
    const first = await gran.login('gran', 'gran-ldap-pw');
    expect(await me(gran)).toMatchObject({ role: 'viewer' });
    await slapd.modify(moveMember('gran', 'kidtime-viewers', 'kidtime-parents'));
    const renewed = await new ApiClient(hub.url).post<TokenPair>('/api/auth/refresh', {
      refreshToken: first.refreshToken,
    });
    expect(renewed.status).toBe(200);
    gran.token = renewed.body.accessToken;
    expect(await me(gran)).toMatchObject({ role: 'parent' });

    await slapd.modify(
      [
        `dn: cn=kidtime-parents,${GROUPS}`,
        'changetype: modify',
        'delete: member',
        `member: ${personDn('gran')}`,
        '',
      ].join('\n'),
    );
    const refused = await new ApiClient(hub.url).post<{ message: string }>('/api/auth/refresh', {
      refreshToken: renewed.body.refreshToken,
    });
    expect(refused.status).toBe(401);
    expect(refused.body.message).toContain('no longer in any group allowed to use Kidtime');
    // Signed out everywhere at once, not when the access token runs out.
    expect((await gran.get('/api/auth/me')).status).toBe(401);
    const audit = await owner.get<AuditEntryView[]>('/api/audit?action=auth.logout');
    expect(audit.body.find((entry) => entry.actor.name === 'gran')).toMatchObject({
      message: 'no longer in any group allowed to use Kidtime',
    });
  });

  it('keeps people signed in through a directory outage, and counts no failures against them', async () => {
    const dad = new ApiClient(hub.url);
    const pair = await dad.login('dad', 'dad-ldap-pw');
    await slapd.pause();
    try {
      const renewed = await new ApiClient(hub.url).post<TokenPair>('/api/auth/refresh', {
        refreshToken: pair.refreshToken,
      });
      expect(renewed.status).toBe(200);
      // More tries than the throttle allows a username: each is the directory's fault, none locks mum out.
      for (let i = 0; i < 7; i += 1) expect((await login('mum', 'mum-ldap-pw')).status).toBe(503);
    } finally {
      await slapd.resume();
    }
    expect(await me(await signedIn('mum', 'mum-ldap-pw'))).toMatchObject({ role: 'owner' });
    expect(hub.log).toContain('without asking the directory, which cannot be reached');
  });

  it('answers 503 with a clear message while the directory is down, and works again after', async () => {
    await slapd.pause();
    try {
      const down = await login('dad', 'dad-ldap-pw');
      expect(down.status).toBe(503);
      expect(down.body.message).toContain('cannot reach the directory (LDAP)');
      expect(hub.log).toContain(`LDAP directory ${slapd.url}`);
    } finally {
      await slapd.resume();
    }
    expect(await me(await signedIn('dad', 'dad-ldap-pw'))).toMatchObject({ role: 'parent' });
  });

  it('throttles wrong passwords as for a local account', async () => {
    for (let i = 0; i < 5; i += 1) expect((await login('tom', `guess-${i}`)).status).toBe(401);
    const sixth = await login('tom', 'tom-ldap-pw');
    expect(sixth.status).toBe(429);
    const audit = await owner.get<AuditEntryView[]>('/api/audit?action=auth.lockout');
    expect(audit.body.find((entry) => entry.actor.name === 'tom')).toMatchObject({
      details: { method: 'ldap' },
    });
  });
});
