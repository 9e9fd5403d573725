import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Serves the built SPA. Hashed files under /assets/ never change, so they are cached for a
 * year; any other path that is not a file gets index.html so deep links work.
 */
export function createStaticHandler(root: string) {
  const rootWithSep = root.endsWith(sep) ? root : root + sep;
  return async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const candidate = normalize(join(root, pathname));
    const file = candidate.startsWith(rootWithSep) ? await fileAt(candidate) : null;
    if (file) return send(res, file, pathname.startsWith('/assets/'));
    const index = await fileAt(join(root, 'index.html'));
    if (!index) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The admin app is not built yet: run `pnpm --filter @registry/web build`.\n');
      return;
    }
    return send(res, index, false);
  };
}

async function fileAt(path: string): Promise<{ path: string; size: number } | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? { path, size: info.size } : null;
  } catch {
    return null;
  }
}

function send(res: ServerResponse, file: { path: string; size: number }, immutable: boolean) {
  res.writeHead(200, {
    'content-type': contentTypes[extname(file.path)] ?? 'application/octet-stream',
    'content-length': file.size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  createReadStream(file.path).pipe(res);
}
