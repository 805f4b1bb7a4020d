/**
 * The `flow-worker` command-line tool (`npm run flow-worker -- …`, or the package bin).
 * Every command sets `process.exitCode`; the explicit exit ends the process even when an SDK
 * client still holds a keep-alive socket.
 */
import packageJson from '../package.json' with { type: 'json' };
import { createProgram } from './program.js';

// The SDK's notice that it will need Node 22 from 2027 would precede every command's output.
// SDK clients are only built inside commands, after this line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

await createProgram(packageJson.version).parseAsync(process.argv);
process.exit(process.exitCode ?? 0);
