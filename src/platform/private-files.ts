/**
 * Files that hold secrets or personal data (generated credentials, the SQLite database, the private
 * Redis) are readable by their owner only: folders 0700, files 0600, whatever the process umask says.
 * Modes are set explicitly (a umask can only take bits away), and files that an older version left
 * readable by others are tightened when they are opened again.
 */
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Is this path ours (so changing its mode is our business)? Always true where uid does not exist. */
function ownedByUs(path: string): boolean {
  const uid = process.getuid?.();
  return uid === undefined || statSync(path).uid === uid;
}

/**
 * Creates `dir` (and missing parents) with mode 0700, and sets 0700 on `dir` itself when it already
 * exists and belongs to this user. Parents that already exist are left alone (they may be shared,
 * e.g. /var/lib).
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (ownedByUs(dir) && (statSync(dir).mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * Makes sure `file` exists with mode 0600 (created empty if missing, tightened if it exists), creating
 * its folder with 0700 when missing. For files another library opens afterwards: SQLite gives its
 * -wal and -shm files the mode of the database file.
 */
export function ensurePrivateFile(file: string): void {
  const dir = dirname(file);
  if (!existsSync(dir)) ensurePrivateDir(dir);
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  tightenFile(file);
}

/** Sets 0600 on an existing file of ours that is more open than that; a missing file is fine. */
export function tightenFile(file: string): void {
  if (!existsSync(file) || !ownedByUs(file)) return;
  if ((statSync(file).mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(file, PRIVATE_FILE_MODE);
}

/**
 * A folder that is wholly ours (the private Redis' data): every folder in it 0700, every file 0600, so
 * files an older version wrote with looser modes are closed too. Symbolic links are not followed.
 */
export function tightenTree(dir: string): void {
  ensurePrivateDir(dir);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) tightenTree(path);
    else if (entry.isFile() && !lstatSync(path).isSymbolicLink()) tightenFile(path);
  }
}

function tempNameFor(file: string): string {
  return `${file}.tmp-${process.pid}-${Date.now()}`;
}

/** Replaces `file` with `text` (mode 0600) atomically (write a temporary file, then rename it). */
export function replacePrivateFile(file: string, text: string): void {
  const tmp = tempNameFor(file);
  writeFileSync(tmp, text, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  chmodSync(tmp, PRIVATE_FILE_MODE);
  renameSync(tmp, file);
}
