// `pnpm start` and the browser tests call this: build the app only when a source file is newer
// than the last build, so a start-up after a fresh clone builds once and later ones are instant.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const marker = join(root, 'dist', 'index.html');

function newestIn(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestIn(join(path, entry)));
  return newest;
}

const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json']
  .map((entry) => join(root, entry))
  .filter((path) => existsSync(path));
const newestSource = Math.max(...sources.map(newestIn));
const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;

if (built >= newestSource) {
  console.log('admin app is up to date (packages/web/dist)');
} else {
  console.log('building the admin app (packages/web/dist)…');
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
      // Callers such as the test runner set NODE_ENV=test, which would make Vite build React's
      // development bundle: the app served to people is always the production build.
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
}
