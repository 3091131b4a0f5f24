/**
 * TypeScript handlers compiled once, so a function worker imports plain JavaScript and needs no
 * module loader of its own (a tsx loader is one more thread per worker: ~30 MB each, measured in
 * bench/memory-breakdown.ts). Plain JavaScript on purpose: a worker runs this before anything
 * could load TypeScript.
 *
 * What is compiled: one esbuild build per handler module with two entries sharing their chunks
 * (code splitting), so every module is loaded once, exactly as Node would load it:
 *   runtime   the worker's runtime (the composition root's handler side, then worker/main)
 *   handler   the handler module, imported later by the runtime (its top-level code runs inside
 *             the cold start, with its console captured, as before)
 * Local files and TypeScript files (Baton's own sources in a checkout, under the 'baton-source'
 * condition) are bundled; a package's JavaScript stays outside the bundle and is imported from
 * the file Node itself would resolve (same conditions), by absolute path, so the bundle can live
 * anywhere. `import.meta.url`, `.dirname` and `.filename` keep naming the source file, and stack
 * traces map back to it (linked source maps), as under tsx. Lambda runs a bundle made the same
 * way (cdk/bundle.ts).
 *
 * The cache: <cache root>/<key>/, key = the handler's path, the runtime's files and the resolution
 * settings; a manifest lists every file the build read with the hash of the text it read (taken
 * as esbuild loaded it, so a file saved during a build makes the next check miss), and each
 * package file the build imports from (an upgraded package builds again). A check hashes
 * those files again: any change (a hot reload's edit) builds again. Builds write to a folder of
 * their own and rename it into place, so workers starting together never see half a build.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isBuiltin, createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Bumped when the output of a build changes for the same inputs. */
const formatVersion = 1;
const typescript = /\.(?:[cm]?ts|tsx)$/;
const loaders = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx', '.json': 'json' };
const runtimeId = 'baton:worker-runtime';
/** Output folders of a key older than this are removed when a newer build lands (a worker still running one has loaded it). */
const staleMs = 10 * 60_000;

/** True for a handler module compileWorker() compiles (TypeScript); JavaScript handlers load as written. */
export function isTypeScriptModule(moduleUrl) {
  return moduleUrl.startsWith('file:') && typescript.test(fileURLToPath(moduleUrl));
}

/** Where compiled handlers are kept: BATON_COMPILE_CACHE, else a folder per user in the temp dir. */
export function cacheRoot(env = process.env) {
  if (env.BATON_COMPILE_CACHE) return resolve(env.BATON_COMPILE_CACHE);
  let user = 'user';
  try {
    const me = userInfo();
    user = String(me.uid >= 0 ? me.uid : me.username);
  } catch {
    // no user database entry: one shared folder
  }
  return join(tmpdir(), `baton-compiled-${user}`);
}

/** The `--conditions` this process resolves with (flags and NODE_OPTIONS), which the bundle must resolve with too. */
export function customConditions(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? '') {
  const args = [...execArgv, ...nodeOptions.split(/\s+/).filter(Boolean)];
  const out = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--conditions=')) out.push(a.slice('--conditions='.length));
    else if ((a === '--conditions' || a === '-C') && args[i + 1]) out.push(args[++i]);
    else if (a.startsWith('-C') && a.length > 2) out.push(a.slice(2));
  }
  return [...new Set(out)];
}

/** A compile error in the handler's code, shaped as tsx reported it (name 'TransformError', 'file:line:col: ERROR: text'). */
class TransformError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TransformError';
  }
}

/** An import that does not resolve, shaped as Node reports it (code ERR_MODULE_NOT_FOUND). */
function notFound(specifier, importer) {
  const err = new Error(`Cannot find module '${specifier}' imported from ${importer}`);
  /** @type {any} */ (err).code = 'ERR_MODULE_NOT_FOUND';
  return err;
}

function sha(text) {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

function hashFile(path) {
  try {
    return sha(readFileSync(path));
  } catch {
    return 'missing';
  }
}

/** The manifest of `dir` when every file it lists still has the text that was built, else undefined. */
function validManifest(dir) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest?.version !== formatVersion || !Array.isArray(manifest.inputs) || typeof manifest.out !== 'string') return undefined;
  for (const [path, hash] of manifest.inputs) if (hashFile(path) !== hash) return undefined;
  if (!existsSync(join(dir, manifest.out, 'runtime.mjs'))) return undefined;
  return manifest;
}

/** esbuild, from this package's dependencies or tsx's (which always ships it). */
async function loadEsbuild() {
  try {
    return await import('esbuild');
  } catch {
    const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
    return fromTsx('esbuild');
  }
}

/**
 * The plugin that decides what is bundled, loads what is, records the hash of every file read,
 * and keeps import.meta naming the source file.
 */
function plugin(runtimeFiles, read) {
  return {
    name: 'baton-worker',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${runtimeId}$`) }, () => ({ path: runtimeId, namespace: 'baton-runtime' }));
      build.onLoad({ filter: /.*/, namespace: 'baton-runtime' }, () => ({
        contents: runtimeFiles.map((f, i) => (i === runtimeFiles.length - 1 ? `export * from ${JSON.stringify(f)};` : `import ${JSON.stringify(f)};`)).join('\n'),
        resolveDir: dirname(runtimeFiles[0]),
        loader: 'js',
      }));
      // The installed package's runtime (JavaScript in node_modules) is imported as it is, so the
      // handler's own `import ... from 'baton/handler'` (external too) reaches the same modules.
      build.onResolve({ filter: /\.[cm]?js$/, namespace: 'baton-runtime' }, (args) =>
        args.path.includes(`${sep}node_modules${sep}`) ? { path: pathToFileURL(args.path).href, external: true } : undefined,
      );
      // Packages: bundled when they are TypeScript sources, else imported from the file Node would pick.
      build.onResolve({ filter: /^[^./]|^\.[^./]|^\.\.[^/]/ }, async (args) => {
        if (args.pluginData === 'inner' || args.path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(args.path)) return undefined;
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        const found = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'inner' });
        // Not installed: left to Node at run time (an optional peer dependency may never be reached).
        if (found.errors.length > 0 || !found.path) return { path: args.path, external: true };
        if (typescript.test(found.path) && !found.path.endsWith('.d.ts') && !found.path.includes(`${sep}node_modules${sep}`)) return { path: found.path };
        if (found.external) return { path: args.path, external: true };
        // The build names this file: a reinstalled or upgraded package (its file changed or gone) builds again.
        if (!read.has(found.path)) read.set(found.path, hashFile(found.path));
        return { path: args.kind === 'require-call' || args.kind === 'require-resolve' ? found.path : pathToFileURL(found.path).href, external: true };
      });
      build.onLoad({ filter: /.*/, namespace: 'file' }, async (args) => {
        const loader = loaders[extname(args.path)];
        const bytes = await readFile(args.path);
        read.set(args.path, sha(bytes));
        if (!loader) return undefined;
        let text = bytes.toString('utf8');
        if (loader !== 'json' && text.includes('import.meta')) {
          const url = pathToFileURL(args.path).href;
          const meta = { url, filename: args.path, dirname: dirname(args.path) };
          text = text.replace(/\bimport\.meta\.(url|filename|dirname)\b/g, (_m, key) => JSON.stringify(meta[key]));
        }
        return { contents: text, loader };
      });
    },
  };
}

/** The first error of a failed build as the error Node or tsx would have thrown. */
function buildError(failure, handlerPath) {
  const errors = Array.isArray(failure?.errors) ? failure.errors : [];
  const first = errors[0];
  if (!first) return undefined;
  const unresolved = /^Could not resolve "(.+)"/.exec(first.text ?? '');
  if (unresolved) {
    const importer = first.location?.file ? resolve(first.location.file) : handlerPath;
    const spec = unresolved[1];
    return notFound(spec.startsWith('.') && importer ? resolve(dirname(importer), spec) : spec, importer);
  }
  const lines = errors.map((e) => `${e.location ? `${resolve(e.location.file)}:${e.location.line}:${e.location.column}: ` : ''}ERROR: ${e.text}`);
  return new TransformError(`Transform failed with ${errors.length} error${errors.length === 1 ? '' : 's'}:\n${lines.join('\n')}`);
}

/**
 * The worker runtime and `moduleUrl`'s handler as plain JavaScript: file: URLs of the runtime
 * entry (exports what the last of `runtimeFiles` exports) and of the handler entry. Built when
 * the cache has no valid build. Throws the handler's own error (TransformError,
 * ERR_MODULE_NOT_FOUND) when its code does not compile; any other failure (esbuild missing)
 * throws an error with `compilerUnavailable` set, for the caller to fall back on a loader.
 */
export async function compileWorker(moduleUrl, runtimeFiles, options = {}) {
  const handlerPath = moduleUrl ? fileURLToPath(moduleUrl) : undefined;
  if (handlerPath && !statSync(handlerPath, { throwIfNoEntry: false })?.isFile()) throw notFound(handlerPath, 'the function worker');
  const conditions = options.conditions ?? customConditions();
  const root = options.cacheRoot ?? cacheRoot();
  const target = `node${process.versions.node.split('.')[0]}`;
  const key = sha(JSON.stringify({ formatVersion, handlerPath: handlerPath ?? null, runtimeFiles, conditions, target }));
  const dir = join(root, key);
  const cached = validManifest(dir);
  if (cached) return urls(join(dir, cached.out), Boolean(handlerPath));

  let esbuild;
  try {
    esbuild = await loadEsbuild();
  } catch (cause) {
    throw Object.assign(new Error(`esbuild cannot be loaded to compile handlers: ${cause instanceof Error ? cause.message : String(cause)}`), { compilerUnavailable: true });
  }
  mkdirSync(dir, { recursive: true });
  const building = join(dir, `building-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const read = new Map();
  try {
    await esbuild.build({
      entryPoints: [{ in: runtimeId, out: 'runtime' }, ...(handlerPath ? [{ in: handlerPath, out: 'handler' }] : [])],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target,
      conditions,
      mainFields: ['main'],
      outdir: building,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunk-[hash]',
      sourcemap: 'linked',
      sourcesContent: false,
      keepNames: true,
      legalComments: 'none',
      logLevel: 'silent',
      // Bundled CommonJS code calls require(); an ES module has none unless it makes one.
      banner: { js: "import { createRequire as __batonCreateRequire } from 'node:module'; const require = __batonCreateRequire(import.meta.url);" },
      plugins: [plugin(runtimeFiles, read)],
    });
  } catch (failure) {
    rmSync(building, { recursive: true, force: true });
    const err = buildError(failure, handlerPath);
    if (err) throw err;
    throw Object.assign(new Error(`esbuild failed to compile ${handlerPath ?? 'the worker runtime'}: ${failure instanceof Error ? failure.message : String(failure)}`), { compilerUnavailable: true });
  } finally {
    // The build service is a child process; a worker has no more use for it.
    await esbuild.stop?.();
  }
  const inputs = [...read.entries()].sort(([a], [b]) => a.localeCompare(b));
  const out = `b-${sha(JSON.stringify(inputs))}`;
  if (existsSync(join(dir, out, 'runtime.mjs'))) rmSync(building, { recursive: true, force: true });
  else {
    try {
      renameSync(building, join(dir, out));
    } catch {
      rmSync(building, { recursive: true, force: true }); // another worker put the same build there first
    }
  }
  const manifestTmp = join(dir, `manifest-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(manifestTmp, JSON.stringify({ version: formatVersion, handler: handlerPath ?? null, inputs, out }));
  renameSync(manifestTmp, join(dir, 'manifest.json'));
  prune(dir, out);
  return urls(join(dir, out), Boolean(handlerPath));
}

function urls(outDir, withHandler) {
  return { runtimeUrl: pathToFileURL(join(outDir, 'runtime.mjs')).href, ...(withHandler ? { handlerUrl: pathToFileURL(join(outDir, 'handler.mjs')).href } : {}) };
}

/** Removes a key's older builds (and abandoned build folders) once they are stale. */
function prune(dir, keep) {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (name === keep || name === 'manifest.json') continue;
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs > staleMs) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by another worker meanwhile
    }
  }
}
