/**
 * The dashboard's static files, read once into memory: `src/dashboard/static/**` plus uPlot from its
 * package. Served only from this whitelist (no path from the URL ever reaches the file system).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

/** URL path under `/static/` → file contents and content type. */
export function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const root = join(dirname(fileURLToPath(import.meta.url)), 'static');
  for (const file of walk(root)) {
    const type = TYPES[extname(file)];
    if (type) assets.set(relative(root, file).split(sep).join('/'), { body: readFileSync(file), type });
  }
  const require = createRequire(import.meta.url);
  for (const name of ['uPlot.iife.min.js', 'uPlot.min.css']) {
    const file = require.resolve(`uplot/dist/${name}`);
    assets.set(`vendor/${name}`, { body: readFileSync(file), type: TYPES[extname(file)] as string });
  }
  return assets;
}
