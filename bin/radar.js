#!/usr/bin/env node
// The `radar` command. TypeScript sources run through tsx's loader, so there is no build step.
import { register } from 'tsx/esm/api';

process.env.DOTENV_CONFIG_QUIET ??= 'true';
register();
const { main } = await import('../src/cli.ts');
await main(process.argv);
