// Bundles src/extension.ts and its dependencies (vscode-languageclient) into dist/extension.js.
// `node esbuild.mjs --production` minifies and drops source maps (used by `vsce package`).
import * as esbuild from 'esbuild';

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
