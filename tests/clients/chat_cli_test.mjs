// `benchtop chat --project P "prompt"` against a scripted model: the streamed answer and the tool
// steps are printed to the terminal, the file change happens, and a missing model is explained.
//
//   node --test-reporter=spec tests/clients/chat_cli_test.mjs --binary build/benchtop

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { startScriptedLlm, textAnswer, toolAnswer } from './scripted_llm.mjs';

const { values: options } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { binary: { type: 'string' } },
});
if (!options.binary) {
  console.error('usage: chat_cli_test.mjs --binary PATH');
  process.exit(2);
}

function run(args, env) {
  return new Promise((resolve) => {
    const child = spawn(options.binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('benchtop chat', () => {
  let work, projectDir, llm;
  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'benchtop-chat-cli-'));
    projectDir = path.join(work, 'shop');
    mkdirSync(projectDir);
    writeFileSync(path.join(projectDir, 'prices.txt'), 'apple 3\n');
    llm = await startScriptedLlm([
      toolAnswer('c1', 'fs_edit', { path: 'prices.txt', edits: [{ old_text: 'apple 3', new_text: 'apple 4' }] }),
      textAnswer('Raised the apple price to 4.', 5),
    ]);
  });
  after(async () => {
    await llm.close();
    rmSync(work, { recursive: true, force: true });
  });

  const baseArgs = () => ['chat', '--root', projectDir, '--data-dir', path.join(work, 'data'), '--project', 'shop'];

  it('prints the streamed answer and the tool steps', async () => {
    const result = await run([...baseArgs(), 'raise the apple price by one'],
      { ...process.env, BENCHTOP_LLM_BASE_URL: llm.baseUrl, BENCHTOP_LLM_MODEL: 'scripted' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /→ fs_edit .*prices\.txt/);
    assert.match(result.stdout, /✎ modified prices\.txt/);
    assert.match(result.stdout, /Raised the apple price to 4\.\n/);
    assert.match(result.stderr, /completed after 2 round\(s\)/);
    assert.equal(readFileSync(path.join(projectDir, 'prices.txt'), 'utf8'), 'apple 4\n');
  });

  it('explains how to configure a model when none is set', async () => {
    const env = { ...process.env };
    for (const name of ['BENCHTOP_LLM_BASE_URL', 'BENCHTOP_LLM_API_KEY', 'BENCHTOP_LLM_MODEL',
      'OPENAI_BASE_URL', 'OPENAI_API_KEY', 'OPENAI_MODEL']) delete env[name];
    const result = await run([...baseArgs(), 'anything'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /BENCHTOP_LLM_BASE_URL/);
  });
});
