/**
 * The model version: a short hash of everything that decides — the keyword config (with its cues and
 * target section) and the learned layer. Every classification carries it, so stored history says
 * which model judged each message, and a keyword reload or a retrain is a new version.
 *
 * @example modelVersion(config, null) // → 'k3f9a0c1d2e4b' ('k' keywords only, 'l' with a learned layer)
 */
import { createHash } from 'node:crypto';
import type { KeywordsConfig } from '../config/keywords.js';
import type { LearnedModel } from './learned-model.js';

export function modelVersion(config: KeywordsConfig, learned: LearnedModel | null): string {
  const hash = createHash('sha256').update(JSON.stringify(config)).update('\0').update(learned === null ? '' : JSON.stringify(learned)).digest('hex');
  return `${learned === null ? 'k' : 'l'}${hash.slice(0, 12)}`;
}

/** Hash of the keyword config alone: a keyword file's content is published once (`model_versions.keywords_hash`). */
export function keywordsHash(config: KeywordsConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
}
