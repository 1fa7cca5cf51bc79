#!/usr/bin/env node
// After `ng build`: lets the browser fetch the app's start-up chunks in parallel with main.js.
//
// main.ts loads the user's language before it imports the app (src/start-app.ts), so that every
// `$localize` text is translated; the app is therefore a lazy chunk, and without a hint the browser
// would discover its chunks one import level at a time (four round trips on a slow phone network).
// This reads esbuild's metafile (angular.json: statsJson) and adds a `<link rel="modulepreload">`
// to index.html for every chunk start-app.ts imports statically, directly or not. Preloading only
// fetches and parses: nothing runs before main.ts says so.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const ENTRY = 'src/start-app.ts';

const { outputs } = JSON.parse(readFileSync(`${DIST}stats.json`, 'utf8'));
const byName = new Map(Object.entries(outputs).map(([file, output]) => [file.replace(/^.*\//, ''), output]));
const start = [...byName].find(([, output]) => output.entryPoint === ENTRY)?.[0];
if (!start) throw new Error(`preload-app-chunks: no chunk for ${ENTRY} in ${DIST}stats.json`);

const indexFile = `${DIST}browser/index.html`;
const html = readFileSync(indexFile, 'utf8');
const chunks = new Set();
const visit = (name) => {
  if (chunks.has(name)) return;
  chunks.add(name);
  for (const imported of byName.get(name)?.imports ?? []) {
    if (imported.kind === 'import-statement' && imported.path.endsWith('.js')) visit(imported.path.replace(/^.*\//, ''));
  }
};
visit(start);
// Angular already preloads main.js's own static imports.
const links = [...chunks].filter((name) => !html.includes(`"${name}"`)).map((name) => `<link rel="modulepreload" href="${name}">`);
writeFileSync(indexFile, html.replace('</head>', `${links.join('')}</head>`));
console.log(`preload-app-chunks: ${links.length} start-up chunks preloaded in index.html`);
