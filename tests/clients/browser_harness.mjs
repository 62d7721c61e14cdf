// What the browser tests share: starting a child (benchtop, Chromium) and waiting for the line
// that says it is ready, and a headless Chromium (Debian's `chromium`) driven over CDP.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { chromium } from 'playwright-core';

const kStartupTimeoutMs = 20000;

// The Chromium binary to drive; exits 77 (skipped) when it is not installed.
export function chromiumOrSkip(explicitPath) {
  const chromiumPath = explicitPath || process.env.CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) {
    console.error(`SKIPPED: ${chromiumPath} is not installed (apt-get install chromium, or scripts/setup.sh --with-tests)`);
    process.exit(77);
  }
  return chromiumPath;
}

// Starts a child and resolves `found` with the first group of `pattern` in its stderr.
export function startAndWaitFor(command, args, env, pattern) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  const found = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command}: no ${pattern} within ${kStartupTimeoutMs} ms:\n${stderr}`)), kStartupTimeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = stderr.match(pattern);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (code ${code}, signal ${signal}):\n${stderr}`));
    });
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { child, found, exited, stderr: () => stderr };
}

// A headless Chromium with its own profile under `work`, and a page in it.
export async function startBrowser(chromiumPath, work) {
  const browserProcess = startAndWaitFor(chromiumPath, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-dev-shm-usage',
    `--user-data-dir=${path.join(work, 'chromium-profile')}`, '--remote-debugging-port=0', 'about:blank',
  ], process.env, /DevTools listening on (ws:\/\/\S+)/);
  const browser = await chromium.connectOverCDP(await browserProcess.found);
  const context = browser.contexts()[0] || (await browser.newContext());
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  await page.setViewportSize({ width: 1280, height: 800 });
  return { browserProcess, browser, page };
}

// Closes what startBrowser started.
export async function stopBrowser({ browserProcess, browser }) {
  if (browser) await browser.close().catch(() => {});
  if (browserProcess) { browserProcess.child.kill('SIGKILL'); await browserProcess.exited; }
}
