import { keywordsSchema } from './keywords.js';
import { referenceMarkdown } from './reference.js';
import { serviceConfigSchema } from './service.js';

/** The full config reference (config/REFERENCE.md). */
export function configReference(): string {
  return referenceMarkdown([
    { title: 'Service config', file: 'config/radar.yaml', schema: serviceConfigSchema },
    { title: 'Keyword config', file: 'config/keywords.yaml', schema: keywordsSchema },
  ]);
}
