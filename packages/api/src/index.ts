export { loadConfig, ConfigError, type Config } from './config';
export { createLogger } from './logger';
export { createRegistryServer } from './http/server';
export { schema } from './schema';
export { startIdempotencyPurge } from './idempotency-purge';
