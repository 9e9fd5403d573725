import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Config } from '../../config';

/** The key that signs credentials, and its public half as it is published in the JWKS. */
export interface SigningKey {
  privateKey: KeyObject;
  /** Public JWK with `kid`, `alg` and `use`, as served at /.well-known/jwks.json. */
  jwk: Ed25519Jwk;
}

export interface Ed25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

/** Certificates or signing are refused until the operator sets what production needs. */
export class NotConfiguredError extends Error {}

export const signingKeyFileName = 'credential-signing-key.pem';

/**
 * Where development and test keep their generated key: beside the PGlite data directory (in
 * `.data/` by default, git-ignored), not inside it, because PostgreSQL owns that directory.
 */
export function generatedKeyPath(config: Config): string {
  return join(dirname(config.DATA_DIR), signingKeyFileName);
}

const loaded = new WeakMap<Config, Promise<SigningKey>>();

/**
 * The configured key; without one, development and test generate a key once and keep it on disk
 * so credentials signed before a restart still verify after it. Production never generates: a
 * key that changes with every replica or deploy would silently break verification.
 */
export function signingKeyFor(config: Config): Promise<SigningKey> {
  let key = loaded.get(config);
  if (!key) {
    key = loadSigningKey(config);
    // A refusal is not cached: the operator may fix the configuration without a restart of tests.
    key.catch(() => loaded.delete(config));
    loaded.set(config, key);
  }
  return key;
}

async function loadSigningKey(config: Config): Promise<SigningKey> {
  if (config.CREDENTIAL_SIGNING_KEY) return fromPem(config.CREDENTIAL_SIGNING_KEY);
  if (config.NODE_ENV === 'production') {
    throw new NotConfiguredError(
      'Credential signing is not configured: set CREDENTIAL_SIGNING_KEY to an Ed25519 private key (openssl genpkey -algorithm ed25519).',
    );
  }
  return fromPem(await readOrCreateKeyFile(generatedKeyPath(config)));
}

async function readOrCreateKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dirname(path), { recursive: true });
  const pem = generateKeyPairSync('ed25519')
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
  // Written whole to a private temporary file, then linked into place: link() fails when the
  // file exists, so of two processes starting at once exactly one key wins and both use it.
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, pem, { mode: 0o600 });
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temporary, { force: true });
  }
  return readFile(path, 'utf8');
}

function fromPem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new NotConfiguredError('The credential signing key is not an Ed25519 key.');
  }
  return { privateKey, jwk: jwkOf(createPublicKey(privateKey)) };
}

function jwkOf(publicKey: KeyObject): Ed25519Jwk {
  const { x } = publicKey.export({ format: 'jwk' }) as { x: string };
  return { kty: 'OKP', crv: 'Ed25519', x, kid: thumbprint(x), alg: 'EdDSA', use: 'sig' };
}

/**
 * The JWKS: the current key first, then the retired ones the operator still publishes
 * (CREDENTIAL_RETIRED_PUBLIC_KEYS, validated at start-up), each once. Verifiers pick by `kid`, so
 * credentials signed before a planned rotation keep verifying while their key is listed.
 */
export async function publishedKeys(config: Config): Promise<Ed25519Jwk[]> {
  const current = (await signingKeyFor(config)).jwk;
  const keys = new Map([[current.kid, current]]);
  for (const pem of config.CREDENTIAL_RETIRED_PUBLIC_KEYS) {
    const jwk = jwkOf(createPublicKey(pem));
    if (!keys.has(jwk.kid)) keys.set(jwk.kid, jwk);
  }
  return [...keys.values()];
}

/** RFC 7638 thumbprint: the key's id changes exactly when the key does. */
function thumbprint(x: string): string {
  const canonical = JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x });
  return createHash('sha256').update(canonical).digest('base64url');
}
