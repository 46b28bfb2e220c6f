/** Child process for the credentials test: prints the author key of the dataDir given as argument. */
import { resolveAuthorKey } from '../../src/config/credentials.js';

process.stdout.write(`${resolveAuthorKey(process.argv[2] as string, {})}\n`);
