#!/usr/bin/env node
import { main } from '../dist/cli/main.js';
import { systemEnv } from '../dist/cli/system-env.js';

const env = systemEnv();
const code = await main(process.argv.slice(2), env);
await env.close();
process.exitCode = code;
