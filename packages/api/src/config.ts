import { createPrivateKey, createPublicKey } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The only module that reads process.env (eslint enforces it). Every variable is validated
 * here; a bad value stops start-up with a message naming the variable and what is allowed.
 */
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

const environment = z.object({
  PORT: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
      message:
        'must be a postgres:// or postgresql:// connection string (or unset for the embedded database)',
    }),
  DATA_DIR: z.string().min(1).default(`${repositoryRoot}.data/pglite`),
  NODE_ENV: z
    .enum(['development', 'production', 'test'], {
      message: 'must be one of development, production, test',
    })
    .default('development'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * Hot reads as named prepared statements (decision 0021). `off` only for a pooler in front of
   * PostgreSQL that cannot keep them per client: PgBouncer in transaction mode before 1.21.
   */
  DATABASE_PREPARED_STATEMENTS: z
    .enum(['on', 'off'], { message: 'must be on or off' })
    .default('on'),
  /**
   * How long a process may answer a session token from memory instead of looking it up (0: look
   * up every request). Changes reach every process by notification (decision 0017); this bounds
   * a notification lost without the connection noticing.
   */
  SESSION_CACHE_SECONDS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 300')
    .max(300, 'must be between 0 and 300')
    .default(10),
  /**
   * Keep credit categories and requirement policies in memory, dropped by change notification
   * (decision 0023). `off` where the process cannot LISTEN (a pooler in transaction mode).
   */
  REFERENCE_CACHE: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
  /**
   * How long an Idempotency-Key is kept after its request claimed it (0: forever). Past it a
   * resend with the key runs as a new request; clients resend within minutes, a device that
   * synchronises after a week offline within days.
   */
  IDEMPOTENCY_KEY_RETENTION_HOURS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 8760')
    .max(8760, 'must be between 0 and 8760')
    .default(168),
  /** Seed demo data into an empty database at start-up: on by default for the embedded engine. */
  SEED_DEMO_DATA: z
    .enum(['auto', 'always', 'never'], { message: 'must be one of auto, always, never' })
    .default('auto'),
  WEB_DIST_DIR: z.string().min(1).default(`${repositoryRoot}packages/web/dist`),
  /**
   * Ed25519 private key (PKCS#8 PEM; "\n" escapes allowed for one-line values) that signs the
   * Open Badges credentials. Unset: development and test keep a generated one beside DATA_DIR;
   * production refuses to sign until it is set.
   */
  CREDENTIAL_SIGNING_KEY: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim().replace(/\\n/g, '\n') : undefined))
    .refine((v) => v === undefined || isEd25519PrivateKey(v), {
      message:
        'must be an Ed25519 private key in PKCS#8 PEM (openssl genpkey -algorithm ed25519), or unset',
    }),
  /**
   * Public keys that signed credentials before the current key, still published in the JWKS so
   * credentials exported before a planned rotation keep verifying: Ed25519 SPKI PEM blocks one
   * after another. A compromised key is left out, so what it signed stops verifying.
   */
  CREDENTIAL_RETIRED_PUBLIC_KEYS: z
    .string()
    .optional()
    .transform((v, context) => {
      const text = v?.trim() ? v.trim().replace(/\\n/g, '\n') : '';
      const blocks = text === '' ? [] : ed25519PublicKeyBlocks(text);
      if (blocks) return blocks;
      context.addIssue({
        code: 'custom',
        message:
          'must be Ed25519 public keys in PEM (openssl pkey -in retired.pem -pubout), one block after another, never a private key; or unset',
      });
      return z.NEVER;
    }),
  /**
   * Where people reach the registry, e.g. https://credits.example.edu.cn: the base of the
   * verification links in certificate QR codes and of the issuer identity in credentials.
   */
  PUBLIC_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v.replace(/\/+$/, '') : undefined))
    .refine((v) => v === undefined || /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(v), {
      message: 'must be an http:// or https:// URL without query or fragment, or unset',
    }),
});

function isEd25519PrivateKey(pem: string): boolean {
  try {
    return createPrivateKey(pem).asymmetricKeyType === 'ed25519';
  } catch {
    return false;
  }
}

/** The PEM blocks of `text`, or null unless it is nothing but Ed25519 public-key blocks. */
function ed25519PublicKeyBlocks(text: string): string[] | null {
  const blocks = text.match(/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  const rest = blocks.reduce((left, block) => left.replace(block, ''), text);
  if (blocks.length === 0 || rest.trim() !== '') return null;
  for (const block of blocks) {
    // createPublicKey also takes a private key (and derives its public half): the label decides.
    if (!block.startsWith('-----BEGIN PUBLIC KEY-----')) return null;
    try {
      if (createPublicKey(block).asymmetricKeyType !== 'ed25519') return null;
    } catch {
      return null;
    }
  }
  return blocks;
}

export type Config = z.output<typeof environment> & { repositoryRoot: string };

// Retired public keys are public, but a private key pasted there by mistake must not be printed.
const secretVariables = new Set(['CREDENTIAL_SIGNING_KEY', 'CREDENTIAL_RETIRED_PUBLIC_KEYS']);

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = environment.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      // A private key must not reach a log, even a malformed one.
      const shown = secretVariables.has(name) ? '(hidden)' : JSON.stringify(env[name] ?? '');
      return `  ${issue.path.join('.')}=${shown}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return { ...result.data, repositoryRoot };
}
