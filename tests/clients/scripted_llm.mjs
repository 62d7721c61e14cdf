// An OpenAI-compatible Chat Completions server on loopback that replays scripted streaming
// answers, for tests that run the built binary against a model (the chat page test). Each
// request takes the next answer from the script; the last one repeats.

import http from 'node:http';

const sse = (chunk) => `data: ${JSON.stringify(chunk)}\n\n`;
const delta = (d, finish = null) => sse({ choices: [{ index: 0, delta: d, finish_reason: finish }] });

// An answer that streams `text` word by word, `pauseMs` apart.
export function textAnswer(text, pauseMs = 30) {
  const words = text.split(/(?= )/);
  return { writes: [...words.map((w) => delta({ content: w })), delta({}, 'stop'),
    sse({ choices: [], usage: { prompt_tokens: 30, completion_tokens: words.length, total_tokens: 30 + words.length } }),
    'data: [DONE]\n\n'], pauseMs };
}

// An answer that calls one tool, its JSON arguments split across three chunks.
export function toolAnswer(id, name, args) {
  const json = JSON.stringify(args);
  const a = Math.floor(json.length / 3);
  const b = Math.floor((2 * json.length) / 3);
  return {
    writes: [
      delta({ tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: json.slice(0, a) } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: json.slice(a, b) } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: json.slice(b) } }] }),
      delta({}, 'tool_calls'),
      sse({ choices: [], usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 } }),
      'data: [DONE]\n\n',
    ],
    pauseMs: 20,
  };
}

export async function startScriptedLlm(script) {
  const requests = [];
  let next = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', async () => {
      if (req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'unknown path' } }));
        return;
      }
      requests.push(JSON.parse(body));
      const answer = script[Math.min(next++, script.length - 1)];
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      for (const piece of answer.writes) {
        res.write(piece);
        await new Promise((resolve) => setTimeout(resolve, answer.pauseMs));
      }
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
