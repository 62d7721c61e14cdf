// An operator's tool selection as a client sees it, through the official SDK client over stdio:
// `--toolsets fs,search --read-only` with one `--root` must list only read-only file and search
// tools, none of them with a `project` argument, and every tool it lists must work (nothing
// listed is then refused).
//
//   node --test-reporter=spec tests/clients/toolsets_test.mjs --binary build/benchtop

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const { values: options } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { binary: { type: 'string' } },
});
if (!options.binary) {
  console.error('usage: toolsets_test.mjs --binary PATH');
  process.exit(2);
}

// Arguments that make sense in the scratch project for the tools this selection can list; a
// tool added to those families later gets its required arguments filled by role.
const kArguments = {
  fs_read: { path: 'README.md' },
  fs_list: { path: '.' },
  fs_stat: { path: 'README.md' },
  fs_glob: { pattern: '**/*.md' },
  fs_grep: { pattern: 'hello' },
};

function argumentsFor(tool) {
  if (kArguments[tool.name]) return kArguments[tool.name];
  const filled = {};
  for (const name of tool.inputSchema.required ?? []) {
    filled[name] = name === 'pattern' ? 'hello' : name === 'name' ? 'main' : 'README.md';
  }
  return filled;
}

describe('a read-only fs+search selection over stdio', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'benchtop-toolsets-'));
  const rootDir = path.join(scratch, 'project');
  mkdirSync(rootDir);
  writeFileSync(path.join(rootDir, 'README.md'), '# hello\n\nhello world\n');
  const client = new Client({ name: 'benchtop-toolsets-test', version: '1.0.0' });
  let tools = [];

  before(async () => {
    await client.connect(new StdioClientTransport({
      command: options.binary,
      args: ['stdio', '--data-dir', path.join(scratch, 'data'), '--root', rootDir,
        '--toolsets', 'fs,search', '--read-only'],
      stderr: 'pipe',
    }));
    ({ tools } = await client.listTools());
  });

  after(async () => {
    await client.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('lists only read-only file and search tools, without a project argument', () => {
    const names = tools.map((tool) => tool.name);
    for (const expected of ['fs_read', 'fs_list', 'fs_glob', 'fs_grep']) assert.ok(names.includes(expected), names.join());
    for (const absent of ['fs_write', 'fs_edit', 'fs_delete', 'shell_exec', 'git_status', 'project_list', 'process_start']) {
      assert.ok(!names.includes(absent), `${absent} is listed: ${names.join()}`);
    }
    for (const tool of tools) {
      assert.equal(tool.annotations?.readOnlyHint, true, `${tool.name} is not read-only`);
      assert.ok(!('project' in (tool.inputSchema.properties ?? {})), `${tool.name} takes a project`);
    }
  });

  it('refuses none of the tools it lists', async () => {
    for (const tool of tools) {
      const result = await client.callTool({ name: tool.name, arguments: argumentsFor(tool) });
      assert.ok(!result.isError, `${tool.name} failed: ${JSON.stringify(result.content)}`);
    }
  });

  it('does not know the tools it left out', async () => {
    await assert.rejects(
      client.callTool({ name: 'fs_write', arguments: { path: 'x.txt', content: 'x' } }),
      /fs_write/);
  });
});
