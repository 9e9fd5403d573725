import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/**
 * Bundle budget: what a first visit must download before anything shows — the entry chunk
 * plus every chunk dist/index.html modulepreloads — stays within 250 KB gzipped. Screens are
 * lazy chunks and do not count; a dependency pulled into the entry (a chart library, say)
 * fails here. The web-build global setup builds dist/ first.
 */
const dist = new URL('../../packages/web/dist/', import.meta.url);
const budget = 250 * 1024;

function initialScripts(html: string): string[] {
  const entries = [...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)].map(
    (m) => m[1]!,
  );
  const preloads = [...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map(
    (m) => m[1]!,
  );
  return [...new Set([...entries, ...preloads])];
}

describe('bundle budget', () => {
  it('keeps the initial JavaScript within 250 KB gzipped', () => {
    const html = readFileSync(new URL('index.html', dist), 'utf8');
    const scripts = initialScripts(html);
    expect(scripts.length).toBeGreaterThan(0);
    let total = 0;
    for (const src of scripts) {
      const bytes = readFileSync(new URL(src.replace(/^\//, ''), dist));
      const gzipped = gzipSync(bytes, { level: 9 }).length;
      total += gzipped;
      console.log(`initial chunk ${src}: ${(gzipped / 1024).toFixed(1)} KB gzipped`);
    }
    console.log(
      `initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped in ${scripts.length} files (budget ${budget / 1024} KB)`,
    );
    expect(total).toBeLessThanOrEqual(budget);
  });
});
