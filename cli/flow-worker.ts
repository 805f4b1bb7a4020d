/**
 * The `flow-worker` command-line tool (`npm run flow-worker -- …`, or the package bin).
 * Every command sets `process.exitCode`; the explicit exit ends the process even when an SDK
 * client still holds a keep-alive socket.
 */
import packageJson from '../package.json' with { type: 'json' };
import { createProgram } from './program.js';

await createProgram(packageJson.version).parseAsync(process.argv);
process.exit(process.exitCode ?? 0);
