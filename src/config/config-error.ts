/**
 * A config file's problems, each with file, key path and line (its own file: the CLI reports one
 * without loading the YAML parser; `load.ts` throws it).
 */
import { RadarError } from '../platform/errors.js';

/** One problem found in a config file: where (file, key path, line) and what is wrong. */
export interface ConfigIssue {
  readonly file: string;
  readonly path: string;
  readonly line: number | null;
  readonly message: string;
}

export class ConfigError extends RadarError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super('ERR_CONFIG', issues.map(formatIssue).join('\n'), { context: { file: issues[0]?.file } });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === null ? issue.file : `${issue.file}:${issue.line}`;
  return `${where}: ${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`;
}
