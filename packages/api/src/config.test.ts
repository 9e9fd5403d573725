import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('configuration', () => {
  it('has defaults that start the embedded database on port 4000', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(4000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.NODE_ENV).toBe('development');
    expect(config.SESSION_CACHE_SECONDS).toBe(10);
    expect(config.DATABASE_PREPARED_STATEMENTS).toBe('on');
    expect(config.REFERENCE_CACHE).toBe('on');
    expect(config.IDEMPOTENCY_KEY_RETENTION_HOURS).toBe(168);
    expect(
      loadConfig({ IDEMPOTENCY_KEY_RETENTION_HOURS: '0' }).IDEMPOTENCY_KEY_RETENTION_HOURS,
    ).toBe(0);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT="eighty": must be a number'],
    [{ PORT: '70000' }, 'PORT="70000": must be between 1 and 65535'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL="mysql://x": must be a postgres://'],
    [{ NODE_ENV: 'prod' }, 'NODE_ENV="prod": must be one of development, production, test'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL="loud": must be one of fatal, error'],
    [{ SESSION_CACHE_SECONDS: '-1' }, 'SESSION_CACHE_SECONDS="-1": must be between 0 and 300'],
    [{ SESSION_CACHE_SECONDS: '2.5' }, 'SESSION_CACHE_SECONDS="2.5": must be a whole number'],
    [
      { DATABASE_PREPARED_STATEMENTS: 'no' },
      'DATABASE_PREPARED_STATEMENTS="no": must be on or off',
    ],
    [{ REFERENCE_CACHE: 'yes' }, 'REFERENCE_CACHE="yes": must be on or off'],
    [
      { IDEMPOTENCY_KEY_RETENTION_HOURS: '9000' },
      'IDEMPOTENCY_KEY_RETENTION_HOURS="9000": must be between 0 and 8760',
    ],
    [
      { IDEMPOTENCY_KEY_RETENTION_HOURS: 'week' },
      'IDEMPOTENCY_KEY_RETENTION_HOURS="week": must be a number',
    ],
  ])('refuses %o naming the variable and what is allowed', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/PORT[\s\S]*LOG_LEVEL/);
  });

  describe('CREDENTIAL_SIGNING_KEY', () => {
    const ed25519 = generateKeyPairSync('ed25519')
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();

    it('takes an Ed25519 PKCS#8 PEM, also written on one line with \\n escapes', () => {
      expect(loadConfig({ CREDENTIAL_SIGNING_KEY: ed25519 }).CREDENTIAL_SIGNING_KEY).toBe(
        ed25519.trim(),
      );
      const oneLine = ed25519.trim().replace(/\n/g, '\\n');
      expect(loadConfig({ CREDENTIAL_SIGNING_KEY: oneLine }).CREDENTIAL_SIGNING_KEY).toBe(
        ed25519.trim(),
      );
      expect(loadConfig({ CREDENTIAL_SIGNING_KEY: '' }).CREDENTIAL_SIGNING_KEY).toBeUndefined();
    });

    it('refuses another kind of key naming the variable, without printing the key', () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
        .privateKey.export({ format: 'pem', type: 'pkcs8' })
        .toString();
      for (const value of [rsa, 'not a key']) {
        expect(() => loadConfig({ CREDENTIAL_SIGNING_KEY: value })).toThrow(
          'CREDENTIAL_SIGNING_KEY=(hidden): must be an Ed25519 private key',
        );
      }
      expect(() => loadConfig({ CREDENTIAL_SIGNING_KEY: rsa })).not.toThrow(/PRIVATE KEY/);
    });
  });

  describe('CREDENTIAL_RETIRED_PUBLIC_KEYS', () => {
    const pair = () => generateKeyPairSync('ed25519');
    const spki = (keys: ReturnType<typeof pair>) =>
      keys.publicKey.export({ format: 'pem', type: 'spki' }).toString().trim();

    it('takes Ed25519 public keys one block after another, also on one line; none when unset', () => {
      const [first, second] = [spki(pair()), spki(pair())];
      expect(
        loadConfig({ CREDENTIAL_RETIRED_PUBLIC_KEYS: `${first}\n\n${second}\n` })
          .CREDENTIAL_RETIRED_PUBLIC_KEYS,
      ).toEqual([first, second]);
      const oneLine = `${first}${second}`.replace(/\n/g, '\\n');
      expect(
        loadConfig({ CREDENTIAL_RETIRED_PUBLIC_KEYS: oneLine }).CREDENTIAL_RETIRED_PUBLIC_KEYS,
      ).toEqual([first, second]);
      expect(loadConfig({}).CREDENTIAL_RETIRED_PUBLIC_KEYS).toEqual([]);
      expect(
        loadConfig({ CREDENTIAL_RETIRED_PUBLIC_KEYS: ' ' }).CREDENTIAL_RETIRED_PUBLIC_KEYS,
      ).toEqual([]);
    });

    it('refuses a private key, another kind of key or anything beside the blocks, printing none', () => {
      const ed25519 = pair();
      const privatePem = ed25519.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
        .publicKey.export({ format: 'pem', type: 'spki' })
        .toString();
      for (const value of [
        privatePem,
        rsa,
        `${spki(ed25519)}\n${privatePem}`,
        `${spki(ed25519)}\ntrailing words`,
        'not a key',
        '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
      ]) {
        expect(() => loadConfig({ CREDENTIAL_RETIRED_PUBLIC_KEYS: value })).toThrow(
          'CREDENTIAL_RETIRED_PUBLIC_KEYS=(hidden): must be Ed25519 public keys in PEM',
        );
        expect(() => loadConfig({ CREDENTIAL_RETIRED_PUBLIC_KEYS: value })).not.toThrow(
          /-----BEGIN/,
        );
      }
    });
  });

  it.each([
    ['https://credits.example.edu.cn/', 'https://credits.example.edu.cn'],
    ['http://localhost:4000/registry', 'http://localhost:4000/registry'],
  ])('takes PUBLIC_URL %s as %s', (value, expected) => {
    expect(loadConfig({ PUBLIC_URL: value }).PUBLIC_URL).toBe(expected);
  });

  it.each(['credits.example.edu.cn', 'ftp://x', 'https://x/?a=1'])(
    'refuses PUBLIC_URL=%s naming the variable',
    (value) => {
      expect(() => loadConfig({ PUBLIC_URL: value })).toThrow(
        `PUBLIC_URL=${JSON.stringify(value)}: must be an http:// or https:// URL`,
      );
    },
  );
});
