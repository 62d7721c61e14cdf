// Drives the benchtop binary with the official TypeScript SDK client, over stdio or Streamable HTTP,
// the way an editor or agent would: handshake, tools/list, a round of fs_* and project_* calls, the
// two error conventions (a tool failure is an isError result, an unknown tool a JSON-RPC -32602), and
// a clean close.
//
//   node --test-reporter=spec tests/clients/sdk_client_test.mjs -- --transport stdio --binary build/benchtop
//
// Arguments after the script: --transport stdio|http, --binary PATH.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

const { values: options } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { transport: { type: 'string' }, binary: { type: 'string' } },
});
if (!['stdio', 'http'].includes(options.transport) || !options.binary) {
  console.error('usage: sdk_client_test.mjs --transport stdio|http --binary PATH');
  process.exit(2);
}

const kStartupTimeoutMs = 15000;

// Starts `benchtop serve` on a free loopback port and resolves with the URL it prints on stderr.
function startHttpServer(binary, dataDir) {
  const child = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server printed no "listening on" line within ${kStartupTimeoutMs} ms:\n${stderr}`)),
      kStartupTimeoutMs,
    );
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = stderr.match(/listening on (http:\/\/\S+\/mcp)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (code ${code}, signal ${signal}) before listening:\n${stderr}`));
    });
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, url, exited, stderr: () => stderr };
}

// Finds `needle` anywhere in a JSON value (keys excluded), so the checks do not depend on the exact
// shape of every tool's structured output.
function containsString(value, needle) {
  if (typeof value === 'string') return value.includes(needle);
  if (Array.isArray(value)) return value.some((item) => containsString(item, needle));
  if (value && typeof value === 'object') return Object.values(value).some((item) => containsString(item, needle));
  return false;
}

function textOf(result) {
  return (result.content ?? [])
    .filter((block) => block.type === 'text')
    .map((block) => block.text)
    .join('\n');
}

// A server run as root mounts each managed workspace's disk image under its data directory, and
// the mounts outlive it: detached here (deepest first) so a failed test leaves none behind.
function detachMountsBeneath(directory) {
  if (process.getuid() !== 0) return;
  const prefix = `${directory}/`;
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point) => point && point.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) spawnSync('umount', ['-l', point]);
}

describe(`benchtop over ${options.transport} with the official SDK client`, () => {
  const scratch = mkdtempSync(path.join(tmpdir(), `benchtop-sdk-${options.transport}-`));
  const dataDir = path.join(scratch, 'data');
  const rootDir = path.join(scratch, 'project');
  mkdirSync(dataDir);
  mkdirSync(rootDir);

  const client = new Client({ name: 'benchtop-sdk-client-test', version: '1.0.0' });
  let server = null; // the HTTP server process; stdio's child belongs to the transport
  let transport = null;
  // Extra arguments naming the project: stdio runs with --root (a default project), HTTP creates one.
  let projectArgs = {};

  async function call(name, args) {
    const result = await client.callTool({ name, arguments: { ...projectArgs, ...args } });
    assert.ok(!result.isError, `${name} failed: ${textOf(result)}`);
    assert.ok(result.structuredContent && typeof result.structuredContent === 'object',
      `${name} returned no structuredContent: ${JSON.stringify(result)}`);
    return result;
  }

  before(async () => {
    if (options.transport === 'stdio') {
      transport = new StdioClientTransport({
        command: options.binary,
        args: ['stdio', '--data-dir', dataDir, '--root', rootDir],
        stderr: 'pipe',
      });
    } else {
      server = startHttpServer(options.binary, dataDir);
      transport = new StreamableHTTPClientTransport(new URL(await server.url));
    }
    await client.connect(transport);
  });

  after(async () => {
    try {
      await client.close();
    } finally {
      if (server) {
        server.child.kill('SIGTERM');
        await server.exited;
      }
      detachMountsBeneath(scratch);
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('completes the handshake and reports itself', () => {
    const info = client.getServerVersion();
    assert.equal(info?.name, 'benchtop');
    assert.ok(info?.version, 'serverInfo.version is empty');
    assert.ok(client.getServerCapabilities()?.tools, 'the tools capability is not advertised');
  });

  it('lists the file and project tools with schemas and annotations', async () => {
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    for (const name of ['project_create', 'project_list', 'fs_read', 'fs_write', 'fs_edit', 'fs_list']) {
      const tool = byName.get(name);
      assert.ok(tool, `tools/list lacks ${name}; it has ${[...byName.keys()].join(', ')}`);
      assert.ok(tool.description, `${name} has no description`);
      assert.equal(tool.inputSchema?.type, 'object', `${name}.inputSchema is not an object schema`);
      assert.equal(tool.inputSchema?.additionalProperties, false, `${name}.inputSchema allows extra properties`);
      assert.ok(tool.annotations, `${name} has no annotations`);
    }
    assert.equal(byName.get('fs_read').annotations.readOnlyHint, true, 'fs_read is not marked read-only');
    assert.ok(byName.get('fs_read').outputSchema, 'fs_read has no outputSchema');
  });

  it('creates and lists projects', async () => {
    const name = `sdk-${options.transport}-project`;
    const created = await call('project_create', { name, description: 'made by the SDK client test' });
    assert.ok(containsString(created.structuredContent, name), `project_create result does not name ${name}`);
    const listed = await call('project_list', {});
    assert.ok(containsString(listed.structuredContent, name), `project_list does not include ${name}`);
    // Without --root the HTTP server has no default project: the fs_* calls name this one.
    if (options.transport === 'http') projectArgs = { project: name };
  });

  it('writes, reads, lists and edits a file', async () => {
    const body = 'alpha\nbeta\ngamma\n';
    await call('fs_write', { path: 'notes/hello.txt', content: body, create_dirs: true });

    const read = await call('fs_read', { path: 'notes/hello.txt' });
    assert.ok(containsString(read.structuredContent, 'beta'),
      `fs_read structuredContent lacks the file's text: ${JSON.stringify(read.structuredContent)}`);
    assert.ok(textOf(read).includes('beta'), 'fs_read text content lacks the file text');

    const listing = await call('fs_list', { path: 'notes' });
    assert.ok(containsString(listing.structuredContent, 'hello.txt'),
      `fs_list does not show hello.txt: ${JSON.stringify(listing.structuredContent)}`);

    await call('fs_edit', { path: 'notes/hello.txt', edits: [{ old_text: 'beta', new_text: 'BETA' }] });
    const reread = await call('fs_read', { path: 'notes/hello.txt' });
    assert.ok(containsString(reread.structuredContent, 'BETA'), 'fs_edit did not change the file');
    assert.ok(!containsString(reread.structuredContent, 'beta'), 'fs_edit left the old text');

    if (options.transport === 'stdio') {
      // The default project is the --root directory itself.
      assert.equal(readFileSync(path.join(rootDir, 'notes/hello.txt'), 'utf8'), 'alpha\nBETA\ngamma\n');
    }
  });

  it('reports a failed call as an isError result with a message', async () => {
    const result = await client.callTool({
      name: 'fs_read',
      arguments: { ...projectArgs, path: 'does/not/exist.txt' },
    });
    assert.equal(result.isError, true, `reading a missing file did not fail: ${JSON.stringify(result)}`);
    assert.ok(textOf(result).length > 0, 'the error result carries no message');
  });

  it('reports arguments that break the schema as an isError result', async () => {
    const result = await client.callTool({ name: 'fs_write', arguments: { ...projectArgs, path: 'x.txt' } });
    assert.equal(result.isError, true, `fs_write without content did not fail: ${JSON.stringify(result)}`);
    assert.ok(textOf(result).includes('content'), `the message does not name the missing field: ${textOf(result)}`);
  });

  it('answers an unknown tool with JSON-RPC error -32602', async () => {
    await assert.rejects(
      client.callTool({ name: 'no_such_tool', arguments: {} }),
      (error) => {
        assert.ok(error instanceof McpError, `expected an McpError, got ${error}`);
        assert.equal(error.code, ErrorCode.InvalidParams);
        return true;
      },
    );
  });

  it('deletes the project it created', async () => {
    const name = `sdk-${options.transport}-project`;
    projectArgs = {};  // the project goes; project tools take no project argument
    const deleted = await call('project_delete', { project: name, confirm: name });
    assert.ok(containsString(deleted.structuredContent, name), `project_delete result does not name ${name}`);
    const listed = await call('project_list', {});
    assert.ok(!containsString(listed.structuredContent, name), `project_list still includes ${name}`);
  });

  it('answers ping', async () => {
    assert.deepEqual(await client.ping(), {});
  });

  it('closes cleanly', async () => {
    await client.close();
    if (server) {
      // The HTTP server outlives its clients; it must still stop promptly on SIGTERM.
      server.child.kill('SIGTERM');
      const { code, signal } = await server.exited;
      assert.equal(code, 0, `server did not exit 0 on SIGTERM (code ${code}, signal ${signal}):\n${server.stderr()}`);
      server = null;
    }
  });
});
