// @ts-check
/**
 * The Node.js check of the `flow-worker` bin. Plain JavaScript, so it runs before tsx is loaded:
 * on an older Node the TypeScript sources would fail with a far less helpful error.
 */

/**
 * Why `version` cannot run the project, or `undefined` when it can. `engines` is the `engines.node`
 * range of package.json (`>=MAJOR.MINOR`), the one place the requirement is written.
 * @param {string} version e.g. `v20.20.2`
 * @param {string} engines e.g. `>=24.11`
 * @returns {string | undefined}
 */
export function nodeVersionProblem(version, engines) {
  const required = /^>=\s*(\d+)(?:\.(\d+))?/.exec(engines);
  const running = /^v?(\d+)\.(\d+)/.exec(version);
  if (required === null || running === null) return undefined;
  const [needMajor, needMinor] = [Number(required[1]), Number(required[2] ?? 0)];
  const [major, minor] = [Number(running[1]), Number(running[2])];
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return (
    `flow-worker needs Node.js ${engines.replace(/^>=\s*/, '')} or newer, and this is Node.js ${version}. ` +
    'Run it through npm (`npm run flow-worker -- <command>`) or `npx flow-worker`: both use the ' +
    'Node.js that `npm ci` installed in node_modules/.bin.'
  );
}
