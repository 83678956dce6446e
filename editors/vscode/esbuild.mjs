// Bundles src/extension.ts and its dependencies (vscode-languageclient) into dist/extension.js.
// `node esbuild.mjs --production` minifies and drops source maps (used by `vsce package`).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';

const production = process.argv.includes('--production');

await esbuild.build({
  entryPoints: ['src/extension.ts'],
  bundle: true,
  outfile: 'dist/extension.js',
  external: ['vscode'],
  format: 'cjs',
  platform: 'node',
  target: 'node18',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'info',
});

// vscode-languageclient kills a server that outlives `stop()` with this script, looked up next
// to its own code, which is now dist/extension.js. Without it a hung server is never killed.
const killer = 'dist/terminateProcess.sh';
fs.copyFileSync('node_modules/vscode-languageclient/lib/node/terminateProcess.sh', killer);
fs.chmodSync(killer, 0o755);
