// A live preview in a real headless Chromium: a small dev server started in a project's sandbox
// through the official MCP SDK client (tests/fixtures/preview_app/server.py: a page whose script
// has an absolute path, and a WebSocket echo), opened at the preview URL benchtop gives. The
// browser must render the page, load the script from the root of the preview's own origin, and
// round-trip a WebSocket message; without the link's pass (a fresh browser) it is refused.
//
//   node --test-reporter=spec tests/clients/preview_chromium_test.mjs --binary build/benchtop --artifacts DIR
//
// Exits 77 (skipped) when Chromium is not installed.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { chromiumOrSkip, startAndWaitFor, startBrowser, stopBrowser } from './browser_harness.mjs';

const { values: options } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { binary: { type: 'string' }, artifacts: { type: 'string' }, chromium: { type: 'string' } },
});
if (!options.binary || !options.artifacts) {
  console.error('usage: preview_chromium_test.mjs --binary PATH --artifacts DIR [--chromium PATH]');
  process.exit(2);
}
const chromiumPath = chromiumOrSkip(options.chromium);
const fixture = readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'preview_app', 'server.py'), 'utf8');

const kToken = 'preview-browser-token-9b2e';
const kDevPort = 5173;

describe('live preview in headless Chromium', () => {
  let work, server, client, browserProcess, browser, page, previewUrl;

  async function call(name, args) {
    const result = await client.callTool({ name, arguments: args });
    assert.ok(!result.isError, `${name} failed: ${JSON.stringify(result.content)}`);
    return result;
  }

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'benchtop-preview-'));
    // No disk image per workspace: nothing is mounted under `work`, so it can simply be removed.
    server = startAndWaitFor(options.binary,
      ['serve', '--listen', '127.0.0.1:0', '--token', kToken, '--workspace-disk-mb', '0',
        '--data-dir', path.join(work, 'data')],
      process.env, /listening on (http:\/\/\S+\/mcp)/);
    const mcpUrl = await server.found;
    client = new Client({ name: 'benchtop-preview-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${kToken}` } },
    }));
    await call('project_create', { name: 'site' });
    await call('fs_write', { project: 'site', path: 'server.py', content: fixture });
    const started = await call('process_start', {
      project: 'site', command: `exec python3 server.py ${kDevPort}`, wait_for_port: kDevPort,
    });
    const previews = started.structuredContent.previews || [];
    const preview = previews.find((entry) => entry.port === kDevPort);
    assert.ok(preview && preview.url, `no preview URL in ${JSON.stringify(started.structuredContent)}`);
    previewUrl = preview.url;
    ({ browserProcess, browser, page } = await startBrowser(chromiumPath, work));
  });

  after(async () => {
    await stopBrowser({ browserProcess, browser });
    if (client) {
      await client.callTool({ name: 'devcontainer_destroy', arguments: { project: 'site', confirm: 'site' } })
        .catch(() => {});
      await client.close().catch(() => {});
    }
    if (server) { server.child.kill('SIGTERM'); await server.exited; }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('renders the page, loads its absolute asset and round-trips a WebSocket message', async () => {
    const origin = new URL(previewUrl).origin;
    assert.match(origin, new RegExp(`^http://p${kDevPort}-[0-9a-f-]{36}\\.localhost:\\d+$`));
    const response = await page.goto(previewUrl);
    assert.equal(response.status(), 200);
    // The pass went into a cookie on the preview's origin and out of the address bar.
    assert.equal(page.url(), origin + '/');
    await page.locator('#title', { hasText: 'Hello from the sandbox' }).waitFor();
    await page.locator('#script', { hasText: 'script loaded' }).waitFor();
    await page.locator('#echo', { hasText: 'ping through the preview' }).waitFor();
    const cookies = await page.context().cookies(origin);
    const cookie = cookies.find((entry) => entry.name === 'benchtop_preview');
    assert.ok(cookie && cookie.httpOnly, JSON.stringify(cookies));
    mkdirSync(options.artifacts, { recursive: true });
    await page.screenshot({ path: path.join(options.artifacts, 'preview.png') });

    // A reload is served with the cookie alone.
    const reloaded = await page.reload();
    assert.equal(reloaded.status(), 200);
    await page.locator('#echo', { hasText: 'ping through the preview' }).waitFor();
  });

  it('refuses a browser that has neither the pass nor the cookie', async () => {
    const stranger = await browser.newContext();
    try {
      const strangerPage = await stranger.newPage();
      const response = await strangerPage.goto(new URL(previewUrl).origin + '/');
      assert.equal(response.status(), 401);
      assert.ok(!(await strangerPage.content()).includes('Hello from the sandbox'));
    } finally {
      await stranger.close();
    }
  });
});
