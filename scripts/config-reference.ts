// Writes config/REFERENCE.md from the zod schemas (`npm run config:reference`).
import { writeFileSync } from 'node:fs';
import { configReference } from '../src/config/reference-doc.js';

writeFileSync(new URL('../config/REFERENCE.md', import.meta.url), configReference());
process.stdout.write('config/REFERENCE.md written\n');
