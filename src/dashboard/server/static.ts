/**
 * The page's files: `GET /` is index.html, `GET /assets/<path>` a file of the page folder
 * (src/dashboard/page, or dist/dashboard/page in the built package: the folder beside this one),
 * `GET /vendor/<pkg>/<path>` a file of an allowed npm package (preact, htm, uplot) resolved from
 * node_modules. Paths are checked segment by segment (no `..`, no dot-files, no backslashes) and
 * the resolved real path must stay inside its root, so nothing else on disk can be read.
 */
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** The npm packages the page may load, and the file kinds served from them. */
export const vendorPackages = ['preact', 'htm', 'uplot'] as const;
const vendorTypes = new Set(['.js', '.mjs', '.css', '.map']);

export const defaultPageDir = fileURLToPath(new URL('../page/', import.meta.url));

export class StaticFiles {
  private readonly pageRoot: string;
  private readonly vendorRoots = new Map<string, string>();

  constructor(pageDir: string = defaultPageDir) {
    this.pageRoot = safeReal(pageDir) ?? pageDir;
    const require = createRequire(import.meta.url);
    for (const pkg of vendorPackages) {
      // Not installed: its files are 404s.
      const root = packageRoot(require, pkg);
      if (root) this.vendorRoots.set(pkg, root);
    }
  }

  /** Serves the request when it is for a page or vendor file; false when the path is none of them. */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (pathname === '/' || pathname === '/index.html') return this.file(req, res, this.pageRoot, ['index.html'], types);
    if (pathname.startsWith('/assets/')) return this.file(req, res, this.pageRoot, segments(pathname.slice('/assets/'.length)), types);
    if (pathname.startsWith('/vendor/')) {
      const parts = segments(pathname.slice('/vendor/'.length));
      const root = parts && this.vendorRoots.get(parts[0]!);
      if (!parts || !root) return notFound(res);
      const rest = parts.slice(1);
      if (!vendorTypes.has(extname(rest[rest.length - 1] ?? ''))) return notFound(res);
      return this.file(req, res, root, rest, types, 'public, max-age=3600');
    }
    return false;
  }

  private file(req: IncomingMessage, res: ServerResponse, root: string, parts: string[] | undefined, mime: Record<string, string>, cache = 'no-cache'): boolean {
    if (!parts || parts.length === 0) return notFound(res);
    const real = safeReal(join(root, ...parts));
    if (!real || !real.startsWith(root + sep)) return notFound(res);
    let size: number;
    try {
      const st = statSync(real);
      if (!st.isFile()) return notFound(res);
      size = st.size;
    } catch {
      return notFound(res);
    }
    res.writeHead(200, {
      'content-type': mime[extname(real)] ?? 'application/octet-stream',
      'content-length': size,
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
      ...(extname(real) === '.html' ? { 'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; script-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'", 'x-frame-options': 'DENY' } : {}),
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(real).pipe(res);
    return true;
  }
}

/** The path's segments, or undefined when one is unsafe ('..', '.', a dot-file, a backslash, NUL, or not decodable). */
function segments(path: string): string[] | undefined {
  const out: string[] = [];
  for (const raw of path.split('/')) {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (s === '' || s.startsWith('.') || /[\\\0]/.test(s) || s.includes('/')) return undefined;
    out.push(s);
  }
  return out;
}

/** An installed package's folder, found on the resolver's node_modules paths (htm's package.json is not in its exports, so require.resolve('htm/package.json') throws). */
function packageRoot(require: NodeJS.Require, pkg: string): string | undefined {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const root = safeReal(join(dir, pkg));
    if (root && existsSync(join(root, 'package.json'))) return root;
  }
  return undefined;
}

function safeReal(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function notFound(res: ServerResponse): true {
  const body = JSON.stringify({ error: { type: 'NotFoundError', message: 'No such file.' } });
  res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-content-type-options': 'nosniff' });
  res.end(body);
  return true;
}
