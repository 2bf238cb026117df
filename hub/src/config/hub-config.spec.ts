import path from 'node:path';
import { ConfigError, loadHubConfig, logLevelsFrom } from './hub-config';

describe('loadHubConfig', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadHubConfig({}, '/srv/kidtime');
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/srv/kidtime/data',
      databasePath: path.join('/srv/kidtime/data', 'kidtime.sqlite'),
      logLevel: 'log',
      publicUrl: null,
      jwtSecret: null,
    });
  });

  it('reads and normalises the variables it knows', () => {
    const config = loadHubConfig(
      {
        PORT: '9000',
        HOST: '127.0.0.1',
        KIDTIME_DATA_DIR: '/var/lib/kidtime',
        LOG_LEVEL: 'info',
        PUBLIC_URL: 'https://hub.home/',
        ACCESS_TOKEN_TTL: '60',
      },
      '/',
    );
    expect(config).toMatchObject({
      accessTokenTtl: 60,
      port: 9000,
      host: '127.0.0.1',
      dataDir: '/var/lib/kidtime',
      logLevel: 'log',
      publicUrl: 'https://hub.home',
    });
  });

  it('treats blank values as unset', () => {
    expect(loadHubConfig({ PORT: '', LOG_LEVEL: ' ' }).port).toBe(8080);
  });

  it('names every bad variable and its value', () => {
    expect(() => loadHubConfig({ PORT: '80a', LOG_LEVEL: 'loud', PUBLIC_URL: 'ftp://x' })).toThrow(
      ConfigError,
    );
    try {
      loadHubConfig({ PORT: '70000', LOG_LEVEL: 'loud' });
    } catch (error) {
      expect((error as Error).message).toContain('PORT="70000": must be between 0 and 65535');
      expect((error as Error).message).toContain('LOG_LEVEL="loud"');
    }
    expect.assertions(3);
  });

  it('keeps access tokens between 10 seconds and a day', () => {
    expect(loadHubConfig({}).accessTokenTtl).toBe(900);
    expect(() => loadHubConfig({ ACCESS_TOKEN_TTL: '5' })).toThrow(
      'ACCESS_TOKEN_TTL="5": must be at least 10',
    );
    expect(() => loadHubConfig({ ACCESS_TOKEN_TTL: '1.5' })).toThrow('whole number');
  });

  it('reads the sign-in methods, local by default', () => {
    expect(loadHubConfig({}).authMethods).toEqual(['local']);
    expect(
      loadHubConfig({
        AUTH_METHODS: ' OIDC, local ',
        OIDC_ISSUER: 'https://auth.home',
        OIDC_CLIENT_ID: 'kidtime',
        PUBLIC_URL: 'https://kidtime.home',
        OIDC_SELF_REGISTRATION: 'true',
      }).authMethods,
    ).toEqual(['oidc', 'local']);
    expect(() => loadHubConfig({ AUTH_METHODS: 'local,saml' })).toThrow(
      'AUTH_METHODS="local,saml": must list local, ldap, oidc and/or proxy',
    );
    expect(() => loadHubConfig({ AUTH_METHODS: 'local,local' })).toThrow('names a method twice');
  });

  it('gives a trusted phone 5 wrong PINs and 30 days by default, and names bad values', () => {
    expect(loadHubConfig({}).pin).toEqual({ maxAttempts: 5, trustDays: 30 });
    expect(loadHubConfig({ AUTH_PIN_ATTEMPTS: '3', AUTH_PIN_DAYS: '7' }).pin).toEqual({
      maxAttempts: 3,
      trustDays: 7,
    });
    expect(() => loadHubConfig({ AUTH_PIN_ATTEMPTS: '0' })).toThrow('AUTH_PIN_ATTEMPTS="0"');
    expect(() => loadHubConfig({ AUTH_PIN_ATTEMPTS: 'many' })).toThrow('AUTH_PIN_ATTEMPTS="many"');
    expect(() => loadHubConfig({ AUTH_PIN_DAYS: '1000' })).toThrow('AUTH_PIN_DAYS="1000"');
    expect(() => loadHubConfig({ AUTH_PIN_DAYS: '1.5' })).toThrow('whole number of days');
  });

  it('refuses a short JWT secret', () => {
    expect(() => loadHubConfig({ KIDTIME_JWT_SECRET: 'short' })).toThrow('KIDTIME_JWT_SECRET');
  });

  it('maps a level to itself and everything more severe', () => {
    expect(logLevelsFrom('warn')).toEqual(['error', 'warn']);
    expect(logLevelsFrom('debug')).toEqual(['error', 'warn', 'log', 'debug']);
  });

  describe('MQTT', () => {
    it('embeds a broker on port 1883 at HOST by default, base topic "kidtime"', () => {
      expect(loadHubConfig({ HOST: '127.0.0.1' }).mqtt).toEqual({
        embedded: { host: '127.0.0.1', port: 1883 },
        discoveryPrefix: 'homeassistant',
        homeAssistant: true,
        url: null,
        username: null,
        password: null,
        baseTopic: 'kidtime',
        publicUrl: null,
      });
      expect(loadHubConfig({ MQTT_HOST: '::1', MQTT_PORT: '0' }).mqtt?.embedded).toEqual({
        host: '::1',
        port: 0,
      });
    });

    it('uses an external broker instead when MQTT_URL is set, and can be switched off', () => {
      const external = loadHubConfig({
        MQTT_URL: 'mqtt://ha.home:1883',
        MQTT_USERNAME: 'kidtime-hub',
        MQTT_PASSWORD: 'pw',
        MQTT_BASE_TOPIC: 'home/kids',
      }).mqtt;
      expect(external).toMatchObject({ embedded: null, url: 'mqtt://ha.home:1883', baseTopic: 'home/kids' });
      expect(loadHubConfig({ MQTT_EMBEDDED: 'false' }).mqtt).toBeNull();
      expect(loadHubConfig({ MQTT_EMBEDDED: 'false', MQTT_URL: 'mqtts://b' }).mqtt?.url).toBe('mqtts://b');
    });

    it('names bad MQTT settings', () => {
      expect(() => loadHubConfig({ MQTT_EMBEDDED: 'maybe' })).toThrow(
        'MQTT_EMBEDDED="maybe": must be true or false',
      );
      expect(() => loadHubConfig({ MQTT_URL: 'http://x' })).toThrow('MQTT_URL="http://x"');
      expect(() => loadHubConfig({ MQTT_BASE_TOPIC: 'kid/#' })).toThrow('MQTT_BASE_TOPIC="kid/#"');
      expect(() => loadHubConfig({ MQTT_PORT: '-1' })).toThrow('MQTT_PORT="-1"');
      expect(() => loadHubConfig({ MQTT_EMBEDDED: 'true', MQTT_URL: 'mqtt://x' })).toThrow('exclusive');
      expect(() => loadHubConfig({ MQTT_USERNAME: 'u' })).toThrow('need MQTT_URL');
    });

    it('has Home Assistant discovery on by default, with a prefix apart from the base topic', () => {
      expect(loadHubConfig({}).mqtt).toMatchObject({ discoveryPrefix: 'homeassistant', homeAssistant: true });
      expect(loadHubConfig({ HA_DISCOVERY: 'off', HA_DISCOVERY_PREFIX: 'ha' }).mqtt).toMatchObject({
        discoveryPrefix: 'ha',
        homeAssistant: false,
      });
      for (const [base, prefix] of [
        ['kidtime', 'kidtime'],
        ['homeassistant/kids', 'homeassistant'],
        ['kids', 'kids/ha'],
      ])
        expect(() => loadHubConfig({ MQTT_BASE_TOPIC: base, HA_DISCOVERY_PREFIX: prefix })).toThrow(
          'must be apart',
        );
      expect(
        loadHubConfig({ MQTT_BASE_TOPIC: 'kidtime2', HA_DISCOVERY_PREFIX: 'kidtime' }).mqtt?.baseTopic,
      ).toBe('kidtime2');
      expect(() => loadHubConfig({ HA_DISCOVERY_PREFIX: 'home/+' })).toThrow('HA_DISCOVERY_PREFIX="home/+"');
    });
  });

  describe('LDAP', () => {
    const ldap = {
      AUTH_METHODS: 'local,ldap',
      LDAP_URL: 'ldap://ldap.home:389',
      LDAP_SEARCH_BASE: 'dc=home,dc=example',
      LDAP_PARENT_GROUPS: 'cn=Parents,ou=groups,dc=home,dc=example',
    };

    it('is off unless AUTH_METHODS has ldap, whatever LDAP_URL says', () => {
      expect(loadHubConfig({ LDAP_URL: 'ldap://ldap.home' }).ldap).toBeNull();
    });

    it('has defaults for the filters, the timeout and TLS', () => {
      expect(loadHubConfig(ldap).ldap).toEqual({
        url: 'ldap://ldap.home:389',
        bindDn: null,
        bindPassword: null,
        searchBase: 'dc=home,dc=example',
        userFilter: '(uid={username})',
        groupFilter:
          '(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(|(member={dn})(uniqueMember={dn})))',
        groups: { owner: [], parent: ['cn=parents,ou=groups,dc=home,dc=example'], viewer: [] },
        timeoutMs: 5000,
        tlsCaFile: null,
        startTls: false,
      });
    });

    it('reads a service account, several groups per role separated by ";", and TLS settings', () => {
      const config = loadHubConfig({
        ...ldap,
        LDAP_BIND_DN: 'cn=kidtime,ou=services,dc=home,dc=example',
        LDAP_BIND_PASSWORD: 'secret',
        LDAP_OWNER_GROUPS: 'cn=admins,ou=groups,dc=home ; cn=Owners, ou=groups, dc=home',
        LDAP_USER_FILTER: '(&(objectClass=person)(mail={username}))',
        LDAP_TIMEOUT: '12',
        LDAP_STARTTLS: 'yes',
        LDAP_TLS_CA_FILE: '/etc/ssl/home-ca.pem',
      }).ldap;
      expect(config).toMatchObject({
        bindDn: 'cn=kidtime,ou=services,dc=home,dc=example',
        bindPassword: 'secret',
        groups: { owner: ['cn=admins,ou=groups,dc=home', 'cn=owners, ou=groups, dc=home'] },
        userFilter: '(&(objectClass=person)(mail={username}))',
        timeoutMs: 12_000,
        startTls: true,
        tlsCaFile: '/etc/ssl/home-ca.pem',
      });
    });

    it.each([
      ['LDAP_URL', { LDAP_URL: undefined }],
      ['LDAP_SEARCH_BASE', { LDAP_SEARCH_BASE: undefined }],
      ['LDAP_OWNER_GROUPS, LDAP_PARENT_GROUPS or LDAP_VIEWER_GROUPS', { LDAP_PARENT_GROUPS: undefined }],
    ])('needs %s when ldap is on', (name, change) => {
      expect(() => loadHubConfig({ ...ldap, ...change })).toThrow(`so ${name} is needed`);
    });

    it('names a bad variable', () => {
      expect(() => loadHubConfig({ ...ldap, LDAP_URL: 'http://ldap.home' })).toThrow(
        'LDAP_URL="http://ldap.home": must be an ldap:// or ldaps:// URL',
      );
      expect(() => loadHubConfig({ ...ldap, LDAP_USER_FILTER: '(uid=*)' })).toThrow(
        'LDAP_USER_FILTER="(uid=*)": must contain {username}',
      );
      expect(() => loadHubConfig({ ...ldap, LDAP_GROUP_FILTER: 'member={dn}' })).toThrow(
        'must be an LDAP filter in parentheses',
      );
      expect(() => loadHubConfig({ ...ldap, LDAP_TIMEOUT: '0' })).toThrow('LDAP_TIMEOUT="0"');
      expect(() => loadHubConfig({ ...ldap, LDAP_STARTTLS: 'maybe' })).toThrow('LDAP_STARTTLS="maybe"');
      expect(() => loadHubConfig({ ...ldap, LDAP_VIEWER_GROUPS: 'viewers' })).toThrow(
        'LDAP_VIEWER_GROUPS="viewers": each entry must be a DN',
      );
    });

    it('refuses group DNs joined by commas instead of ";"', () => {
      expect(() =>
        loadHubConfig({ ...ldap, LDAP_OWNER_GROUPS: 'cn=a,ou=groups,dc=home,cn=b,ou=groups,dc=home' }),
      ).toThrow('separate group DNs with ";"');
    });

    it('wants the service account whole, and StartTLS only on ldap://', () => {
      expect(() => loadHubConfig({ ...ldap, LDAP_BIND_DN: 'cn=kidtime,dc=home' })).toThrow(
        'LDAP_BIND_PASSWORD is missing',
      );
      expect(() => loadHubConfig({ ...ldap, LDAP_BIND_PASSWORD: 'x' })).toThrow('LDAP_BIND_DN is missing');
      expect(() => loadHubConfig({ ...ldap, LDAP_URL: 'ldaps://ldap.home', LDAP_STARTTLS: 'true' })).toThrow(
        'LDAP_STARTTLS=true is for ldap:// URLs',
      );
    });
  });

  describe('identity provider (OIDC)', () => {
    const oidc = {
      AUTH_METHODS: 'local,oidc',
      OIDC_ISSUER: 'https://auth.home/realms/family',
      OIDC_CLIENT_ID: 'kidtime',
      PUBLIC_URL: 'https://kidtime.home/',
      OIDC_PARENT_GROUPS: 'parents, grown-ups',
    };

    it('is off unless AUTH_METHODS has oidc', () => {
      expect(loadHubConfig({ OIDC_ISSUER: 'https://auth.home' }).oidc).toBeNull();
    });

    it('has defaults for everything but the provider, the client and who may sign in', () => {
      expect(loadHubConfig(oidc).oidc).toEqual({
        issuer: 'https://auth.home/realms/family',
        clientId: 'kidtime',
        clientSecret: null,
        redirectUrl: 'https://kidtime.home/api/auth/oidc/callback',
        scopes: ['openid', 'profile', 'email', 'groups'],
        label: 'Sign in with your identity provider',
        groupsClaim: 'groups',
        groups: { owner: [], parent: ['parents', 'grown-ups'], viewer: [] },
        emails: { owner: [], parent: [], viewer: [] },
        selfRegistration: false,
        providerLogout: false,
        sessionMaxAgeMs: 7 * 86_400_000,
      });
    });

    it('reads every setting', () => {
      const config = loadHubConfig({
        ...oidc,
        OIDC_CLIENT_SECRET: 's3cret',
        OIDC_REDIRECT_URL: 'https://kids.home/kidtime/api/auth/oidc/callback',
        OIDC_SCOPES: 'openid email',
        OIDC_LABEL: 'Sign in with Authentik',
        OIDC_GROUPS_CLAIM: 'roles',
        OIDC_OWNER_EMAILS: 'Mum@Home.example , dad@home.example',
        OIDC_SELF_REGISTRATION: 'on',
        OIDC_PROVIDER_LOGOUT: 'true',
        OIDC_SESSION_DAYS: '2',
      }).oidc;
      expect(config).toMatchObject({
        clientSecret: 's3cret',
        redirectUrl: 'https://kids.home/kidtime/api/auth/oidc/callback',
        scopes: ['openid', 'email'],
        label: 'Sign in with Authentik',
        groupsClaim: 'roles',
        emails: { owner: ['mum@home.example', 'dad@home.example'] },
        selfRegistration: true,
        providerLogout: true,
        sessionMaxAgeMs: 2 * 86_400_000,
      });
    });

    it.each([
      [{ OIDC_ISSUER: undefined }, 'AUTH_METHODS has oidc, so OIDC_ISSUER is needed'],
      [{ OIDC_ISSUER: 'auth.home' }, 'OIDC_ISSUER="auth.home": must be an http:// or https:// URL'],
      [{ OIDC_CLIENT_ID: undefined }, 'so OIDC_CLIENT_ID is needed'],
      [{ PUBLIC_URL: undefined }, 'so OIDC_REDIRECT_URL or PUBLIC_URL is needed'],
      [{ OIDC_REDIRECT_URL: 'https://kidtime.home/callback' }, 'must end with /api/auth/oidc/callback'],
      [{ OIDC_SCOPES: 'profile email' }, 'OIDC_SCOPES="profile email": must include openid'],
      [{ OIDC_SESSION_DAYS: '0' }, 'OIDC_SESSION_DAYS="0"'],
      [
        { OIDC_OWNER_EMAILS: 'mum, dad@home' },
        'OIDC_OWNER_EMAILS="mum, dad@home": each entry must be an e-mail',
      ],
      [{ OIDC_PARENT_GROUPS: undefined }, 'or OIDC_SELF_REGISTRATION=true'],
      [{ OIDC_SELF_REGISTRATION: 'maybe' }, 'OIDC_SELF_REGISTRATION="maybe": must be true or false'],
      [{ OIDC_GROUPS_CLAIM: 'my groups' }, 'OIDC_GROUPS_CLAIM="my groups": must be a claim name'],
    ])('refuses %j with a clear message', (change, message) => {
      expect(() => loadHubConfig({ ...oidc, ...change })).toThrow(message);
    });
  });

  describe('sign-in proxy', () => {
    const proxy = {
      AUTH_METHODS: 'proxy',
      AUTH_PROXY_ADDRESSES: '172.18.0.2, 10.0.0.0/8, fd00::/64',
      AUTH_PROXY_PARENT_GROUPS: 'grown-ups, Parents',
    };

    it('is off unless AUTH_METHODS has proxy', () => {
      expect(loadHubConfig({ AUTH_PROXY_ADDRESSES: '10.0.0.1' }).proxy).toBeNull();
    });

    it("reads the addresses, Authelia's header names by default, and groups per role", () => {
      expect(loadHubConfig(proxy).proxy).toEqual({
        addresses: ['172.18.0.2', '10.0.0.0/8', 'fd00::/64'],
        userHeader: 'remote-user',
        groupsHeader: 'remote-groups',
        groups: { owner: [], parent: ['grown-ups', 'Parents'], viewer: [] },
      });
      const authentik = loadHubConfig({
        ...proxy,
        AUTH_PROXY_USER_HEADER: 'X-authentik-username',
        AUTH_PROXY_GROUPS_HEADER: 'X-authentik-groups',
      }).proxy;
      expect(authentik).toMatchObject({
        userHeader: 'x-authentik-username',
        groupsHeader: 'x-authentik-groups',
      });
    });

    it.each([
      [{ AUTH_PROXY_ADDRESSES: undefined }, 'AUTH_METHODS has proxy, so AUTH_PROXY_ADDRESSES is needed'],
      [{ AUTH_PROXY_ADDRESSES: 'proxy.home' }, 'each entry must be an IP address or a CIDR range'],
      [{ AUTH_PROXY_ADDRESSES: '10.0.0.0/33' }, 'each entry must be an IP address or a CIDR range'],
      [{ AUTH_PROXY_ADDRESSES: '10.0.0.0/8/1' }, 'each entry must be an IP address or a CIDR range'],
      [{ AUTH_PROXY_ADDRESSES: ' , ' }, 'must name at least one address'],
      [{ AUTH_PROXY_PARENT_GROUPS: undefined }, 'AUTH_PROXY_OWNER_GROUPS, AUTH_PROXY_PARENT_GROUPS or'],
      [{ AUTH_PROXY_USER_HEADER: 'Remote User' }, 'must be an HTTP header name'],
      [{ AUTH_PROXY_GROUPS_HEADER: 'REMOTE-USER' }, 'must be different headers'],
    ])('refuses %j', (change, message) => {
      expect(() => loadHubConfig({ ...proxy, ...change })).toThrow(message);
    });
  });
});
