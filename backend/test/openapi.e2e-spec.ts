import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestApp, useTestApp } from './support/test-app';

const BACKEND_DIR = path.join(__dirname, '..');
// The pinned devDependency, wherever npm placed it.
const REDOCLY = require.resolve('@redocly/cli/bin/cli.js');

// Every other e2e suite checks its responses against this same document (support/openapi-conformance.ts).
describe('The OpenAPI document', () => {
  let server: TestApp;
  useTestApp({ API_DOCS: 'true' }, (app) => (server = app));

  it('served at /api/docs-json passes redocly lint (backend/redocly.yaml) without errors', async () => {
    const response = await fetch(`${server.baseUrl}/api/docs-json`);
    expect(response.status).toBe(200);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-')), 'openapi.json');
    fs.writeFileSync(file, await response.text());
    const lint = spawnSync(process.execPath, [REDOCLY, 'lint', file, '--format=stylish'], {
      cwd: BACKEND_DIR,
      encoding: 'utf8',
      timeout: 60_000,
    });
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    if (lint.status !== 0) throw new Error(`redocly lint failed (exit ${lint.status}):\n${lint.stdout}\n${lint.stderr}`);
  }, 90_000);
});
