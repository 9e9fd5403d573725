import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Browser tests drive the built app: build it first when its sources changed. */
export default function setup(): void {
  const web = fileURLToPath(new URL('../../packages/web/', import.meta.url));
  execFileSync('node', ['scripts/build-if-stale.mjs'], { cwd: web, stdio: 'inherit' });
}
