// The chat page in a real headless Chromium (Debian's `chromium`), against the built binary and a
// scripted model: send a message, see the streamed answer and the tool call in the activity feed,
// see the changed file in the file tree, reload and find the thread's history. Saves a screenshot.
//
//   node --test-reporter=spec tests/clients/chat_page_test.mjs --binary build/benchtop --artifacts DIR
//
// Exits 77 (skipped) when Chromium is not installed.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { chromiumOrSkip, startAndWaitFor, startBrowser, stopBrowser } from './browser_harness.mjs';
import { startScriptedLlm, textAnswer, toolAnswer } from './scripted_llm.mjs';

const { values: options } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { binary: { type: 'string' }, artifacts: { type: 'string' }, chromium: { type: 'string' } },
});
if (!options.binary || !options.artifacts) {
  console.error('usage: chat_page_test.mjs --binary PATH --artifacts DIR [--chromium PATH]');
  process.exit(2);
}
const chromiumPath = chromiumOrSkip(options.chromium);

describe('chat page in headless Chromium', () => {
  let work, llm, server, browserProcess, browser, page, base, projectDir;

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'benchtop-chat-page-'));
    projectDir = path.join(work, 'demo');
    mkdirSync(projectDir);
    writeFileSync(path.join(projectDir, 'README.md'), '# demo\n');
    llm = await startScriptedLlm([
      toolAnswer('call_1', 'fs_write', { path: 'hello.py', content: "print('hello')\n" }),
      textAnswer('I created hello.py, which prints a greeting.'),
      textAnswer('Once upon a time a small program learned to print, and it printed happily ever after. The end.', 200),
    ]);
    server = startAndWaitFor(options.binary,
      ['serve', '--listen', '127.0.0.1:0', '--root', projectDir, '--data-dir', path.join(work, 'data')],
      { ...process.env, BENCHTOP_LLM_BASE_URL: llm.baseUrl, BENCHTOP_LLM_MODEL: 'scripted-model', BENCHTOP_LLM_API_KEY: 'sk-page-test' },
      /listening on (http:\/\/\S+)\/mcp/);
    base = await server.found;

    ({ browserProcess, browser, page } = await startBrowser(chromiumPath, work));
  });

  after(async () => {
    await stopBrowser({ browserProcess, browser });
    if (server) { server.child.kill('SIGTERM'); await server.exited; }
    if (llm) await llm.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('streams the answer and shows the tool call and the changed file', async () => {
    await page.goto(base + '/');
    await page.waitForFunction(() => document.querySelector('#project').options.length > 0);
    assert.equal(await page.locator('#project').inputValue(), 'demo');
    await page.locator('#tree li', { hasText: 'README.md' }).waitFor();

    await page.locator('#input').fill('Create hello.py that prints a greeting');
    await page.locator('#send').click();

    // Streamed text: the answer grows word by word in one assistant bubble.
    const answer = page.locator('.msg.assistant').last();
    await answer.waitFor();
    await page.waitForFunction(() => {
      const bubbles = document.querySelectorAll('.msg.assistant');
      return bubbles.length && bubbles[bubbles.length - 1].textContent.includes('prints a greeting.');
    });
    assert.equal(await answer.textContent(), 'I created hello.py, which prints a greeting.');

    // The tool call, its result and the file change in the activity feed.
    await page.locator('#feed li.tool_start', { hasText: 'fs_write' }).waitFor();
    await page.locator('#feed li.tool_result', { hasText: 'fs_write' }).waitFor();
    await page.locator('#feed li.file_changed', { hasText: 'hello.py' }).waitFor();
    await page.locator('#feed li.done').waitFor();
    assert.equal(readFileSync(path.join(projectDir, 'hello.py'), 'utf8'), "print('hello')\n");

    // The file tree updated; the file opens in the viewer.
    await page.locator('#tree li', { hasText: 'hello.py' }).click();
    await page.waitForFunction(() => document.querySelector('#file').textContent.includes("print('hello')"));
    assert.equal(await page.locator('#send').isDisabled(), false);

    mkdirSync(options.artifacts, { recursive: true });
    const shot = path.join(options.artifacts, 'chat_page.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(readFileSync(shot).length > 1000, 'screenshot written');

    // The model got the tools and the tool result; the key went only into the header.
    assert.equal(llm.requests.length, 2);
    assert.ok(llm.requests[0].tools.some((t) => t.function.name === 'fs_write'));
    assert.equal(llm.requests[1].messages.at(-1).role, 'tool');
    assert.ok(!server.stderr().includes('sk-page-test'));
  });

  it('keeps the thread and its history across a reload', async () => {
    await page.reload();
    const thread = page.locator('#threads li', { hasText: 'Create hello.py' });
    await thread.waitFor();
    await thread.click();
    await page.locator('.msg.user', { hasText: 'Create hello.py that prints a greeting' }).waitFor();
    await page.locator('.msg.assistant', { hasText: 'I created hello.py' }).waitFor();
  });

  it('re-attaches to a running answer after a reload', async () => {
    await page.locator('#new-thread').click();
    await page.waitForFunction(() => document.querySelector('#messages').children.length === 0);
    await page.locator('#input').fill('Tell me a story');
    await page.locator('#send').click();
    await page.locator('.msg.assistant', { hasText: 'Once' }).waitFor();
    await page.reload();
    // The page reopens the thread and replays the run from its start, then follows it live.
    await page.locator('.msg.user', { hasText: 'Tell me a story' }).waitFor();
    // Still running: the page is following the live stream (Send is disabled until it ends).
    await page.waitForFunction(() => document.querySelector('#send').disabled && document.querySelector('#status').textContent === 'working…');
    await page.waitForFunction(() => {
      const bubbles = document.querySelectorAll('.msg.assistant');
      return bubbles.length && bubbles[bubbles.length - 1].textContent.endsWith('The end.');
    });
    assert.equal(await page.locator('.msg.assistant').last().textContent(),
      'Once upon a time a small program learned to print, and it printed happily ever after. The end.');
    await page.locator('#feed li.done').waitFor();
    assert.equal(await page.locator('#send').isDisabled(), false);
  });

  it('shows a clear error for a refused request', async () => {
    const status = await page.evaluate(async () => (await fetch('/api/threads/nope/messages', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"content":"x"}' })).status);
    assert.equal(status, 404);
    await page.evaluate(() => openThread('no-such-thread').catch((e) => showError(e.message)));
    await page.waitForFunction(() => document.querySelector('#error').textContent.includes('no chat thread'));
  });
});

describe('chat page of a server started with --token', () => {
  const token = 'page-test-token-4f1c';
  let work, llm, server, browserProcess, browser, page, base;

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'benchtop-chat-token-'));
    const projectDir = path.join(work, 'demo');
    mkdirSync(projectDir);
    writeFileSync(path.join(projectDir, 'README.md'), '# demo\n');
    llm = await startScriptedLlm([textAnswer('Logged in and listening.')]);
    server = startAndWaitFor(options.binary,
      ['serve', '--listen', '127.0.0.1:0', '--token', token, '--root', projectDir, '--data-dir', path.join(work, 'data')],
      { ...process.env, BENCHTOP_LLM_BASE_URL: llm.baseUrl, BENCHTOP_LLM_MODEL: 'scripted-model', BENCHTOP_LLM_API_KEY: 'sk-page-test' },
      /listening on (http:\/\/\S+)\/mcp/);
    base = await server.found;
    ({ browserProcess, browser, page } = await startBrowser(chromiumPath, work));
  });

  after(async () => {
    await stopBrowser({ browserProcess, browser });
    if (server) { server.child.kill('SIGTERM'); await server.exited; }
    if (llm) await llm.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('shows the login page, refuses a wrong token, and logs in through the form', async () => {
    const response = await page.goto(base + '/');
    assert.equal(response.status(), 401);
    await page.locator('input[name=token]').fill('not-the-token');
    await page.locator('button[type=submit]').click();
    await page.locator('.err', { hasText: 'not the one' }).waitFor();
    assert.equal((await page.context().cookies(base)).length, 0);

    await page.locator('input[name=token]').fill(token);
    await page.locator('button[type=submit]').click();
    await page.waitForFunction(() => document.querySelector('#project') && document.querySelector('#project').options.length > 0);
    const cookies = await page.context().cookies(base);
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0].httpOnly, true);
    assert.equal(cookies[0].sameSite, 'Strict');
    assert.ok(!cookies[0].value.includes(token));
  });

  it('opens with /?token= and chats with only the cookie', async () => {
    await page.context().clearCookies();
    await page.goto(base + '/?token=' + encodeURIComponent(token));
    assert.equal(new URL(page.url()).search, '', 'the token left the address bar');
    await page.locator('#tree li', { hasText: 'README.md' }).waitFor();
    await page.locator('#input').fill('Are you there?');
    await page.locator('#send').click();
    await page.locator('.msg.assistant', { hasText: 'Logged in and listening.' }).waitFor();
    await page.locator('#feed li.done').waitFor();
    // The cookie does not open /mcp to the page.
    const mcpStatus = await page.evaluate(async () => (await fetch('/mcp', {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) })).status);
    assert.equal(mcpStatus, 401);
  });
});
