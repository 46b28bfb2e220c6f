/** Where the shipped keyword config lives (its own file: the CLI's help names it without loading the schema). */
import { fileURLToPath } from 'node:url';

export const DEFAULT_KEYWORDS_FILE = fileURLToPath(new URL('../../config/keywords.yaml', import.meta.url));
