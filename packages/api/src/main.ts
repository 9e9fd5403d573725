import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { demoLogins, startRegistry } from './start';

/** `pnpm start`: validate configuration, start, print where to go and how to log in. */
const started = performance.now();
let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
const log = createLogger(config);
const registry = await startRegistry(config, log);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const lines = [
  '',
  `  Credit registry is ready in ${seconds}s on ${registry.database.engine === 'pglite' ? `the embedded database (${config.DATA_DIR})` : 'PostgreSQL'}`,
  `  Admin app:  ${registry.url}/`,
  `  GraphQL:    ${registry.url}/graphql`,
  '',
  '  Demo logins (password for all: demo1234):',
  ...demoLogins.map(
    (login) => `    ${login.username.padEnd(12)} ${login.role.padEnd(18)} ${login.description}`,
  ),
  '',
];
console.log(lines.join('\n'));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    registry.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
