#include "server/web/chat_page.h"

namespace benchtop {

// Kept as one literal so the binary carries the page: no files to install, nothing to build.
std::string_view chat_page_html() {
  return R"page(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>benchtop chat</title>
<style>
  :root { --bg:#f6f7f9; --panel:#fff; --line:#dde1e6; --text:#1d232b; --muted:#6b7480;
          --accent:#2f6fdb; --err:#c62828; --ok:#2e7d32; --mono: ui-monospace, SFMono-Regular, Menlo, monospace; }
  * { box-sizing: border-box; }
  body { margin:0; font: 14px/1.45 system-ui, -apple-system, Segoe UI, sans-serif; color:var(--text); background:var(--bg);
         height:100vh; display:grid; grid-template-columns: 240px 1fr 360px; grid-template-rows: auto 1fr; }
  header { grid-column: 1 / 4; display:flex; align-items:center; gap:12px; padding:8px 14px; background:var(--panel); border-bottom:1px solid var(--line); }
  header h1 { font-size:16px; margin:0; }
  header select { padding:4px; }
  header form { padding:0; border:0; background:none; }
  #error { flex:1; color:var(--err); font-weight:600; white-space:pre-wrap; }
  #status { color:var(--muted); }
  aside, main, #side { min-height:0; overflow:hidden; display:flex; flex-direction:column; }
  aside { background:var(--panel); border-right:1px solid var(--line); }
  aside button { margin:10px; padding:6px; }
  #threads { list-style:none; margin:0; padding:0; overflow:auto; flex:1; }
  #threads li { padding:8px 12px; cursor:pointer; border-bottom:1px solid var(--line); display:flex; gap:6px; }
  #threads li .t { flex:1; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
  #threads li.active { background:#e8f0fe; }
  #threads li .del { border:none; background:none; color:var(--muted); cursor:pointer; }
  #messages { flex:1; overflow:auto; padding:14px; display:flex; flex-direction:column; gap:10px; }
  .msg { max-width:85%; padding:8px 12px; border-radius:10px; white-space:pre-wrap; word-wrap:break-word; }
  .msg.user { align-self:flex-end; background:var(--accent); color:#fff; }
  .msg.assistant { align-self:flex-start; background:var(--panel); border:1px solid var(--line); }
  .msg.note { align-self:center; color:var(--muted); font-size:12px; background:none; }
  .msg.failed { align-self:center; color:var(--err); background:#fdecea; }
  .chip { font: 12px var(--mono); color:var(--muted); display:block; }
  form { display:flex; gap:8px; padding:10px; border-top:1px solid var(--line); background:var(--panel); }
  textarea { flex:1; resize:vertical; min-height:44px; font:inherit; padding:6px; }
  #side { border-left:1px solid var(--line); background:var(--panel); }
  #side h2 { font-size:13px; margin:0; padding:8px 12px; border-bottom:1px solid var(--line); background:#fafbfc; }
  #feed { list-style:none; margin:0; padding:0; overflow:auto; flex:1; font: 12px var(--mono); }
  #feed li { padding:6px 10px; border-bottom:1px solid var(--line); white-space:pre-wrap; word-break:break-all; }
  #feed li.tool_start { color:var(--accent); }
  #feed li.tool_result.error { color:var(--err); }
  #feed li.file_changed { color:var(--ok); }
  #tree { list-style:none; margin:0; padding:0; overflow:auto; flex:1; font: 12px var(--mono); }
  #tree li { padding:2px 10px; cursor:pointer; white-space:nowrap; }
  #tree li.directory { color:var(--muted); cursor:default; }
  #tree li:hover { background:#f0f3f7; }
  #file { margin:0; padding:8px 10px; overflow:auto; flex:1; font: 12px var(--mono); background:#fbfbfc; border-top:1px solid var(--line); white-space:pre; }
  .panel { display:flex; flex-direction:column; min-height:0; flex:1; }
</style>
</head>
<body>
<header>
  <h1>benchtop</h1>
  <label>Project <select id="project"></select></label>
  <span id="status"></span>
  <span id="error" role="alert"></span>
  <form method="post" action="/logout"><button type="submit" title="End this browser's login">Log out</button></form>
</header>
<aside>
  <button id="new-thread" type="button">+ New thread</button>
  <ul id="threads"></ul>
</aside>
<main>
  <div id="messages"></div>
  <form id="composer">
    <textarea id="input" placeholder="Ask the agent to do something in this project…"></textarea>
    <button id="send" type="submit">Send</button>
    <button id="cancel" type="button" disabled>Stop</button>
  </form>
</main>
<div id="side">
  <div class="panel"><h2>Activity</h2><ul id="feed"></ul></div>
  <div class="panel"><h2>Files <button id="refresh-tree" type="button">↻</button></h2><ul id="tree"></ul><pre id="file"></pre></div>
</div>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const state = { project: "", thread: null, running: false, stream: null, assistant: null };

function showError(message) { $("error").textContent = message || ""; }
function setStatus(text) { $("status").textContent = text || ""; }

// The login cookie expired or the server restarted (new key): the page at / asks for the token.
function loginIfRefused(response) {
  if (response.status === 401) window.location.assign("/");
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
  let response;
  try { response = await fetch(path, options); }
  catch (e) { throw new Error("cannot reach benchtop: " + e.message); }
  loginIfRefused(response);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!response.ok) throw new Error((data && data.error) || ("HTTP " + response.status));
  return data;
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function scrollDown(node) { node.scrollTop = node.scrollHeight; }

function addMessage(cls, text) {
  const node = el("div", "msg " + cls, text);
  $("messages").appendChild(node);
  scrollDown($("messages"));
  return node;
}

function summarize(value, limit) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > limit ? text.slice(0, limit) + "…" : text;
}

function addFeed(cls, text) {
  const node = el("li", cls, text);
  $("feed").appendChild(node);
  scrollDown($("feed"));
}

// "Preview on port N" in the conversation, linking to the preview when the event carries a URL:
// built from nodes, and only an http(s) URL becomes a link.
function addPreview(port, url) {
  state.assistant = null;
  const node = el("div", "msg note preview", "Preview on port " + String(port));
  let href = null;
  try { href = new URL(String(url)); } catch (e) { href = null; }
  if (url && href && (href.protocol === "http:" || href.protocol === "https:")) {
    const link = el("a", "", href.href);
    link.href = href.href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    node.appendChild(document.createTextNode(": "));
    node.appendChild(link);
  }
  $("messages").appendChild(node);
  scrollDown($("messages"));
}

function setRunning(running) {
  state.running = running;
  $("send").disabled = running;
  $("cancel").disabled = !running;
  setStatus(running ? "working…" : "");
}

function handleEvent(event) {
  switch (event.type) {
    case "text":
      if (!state.assistant) state.assistant = addMessage("assistant", "");
      state.assistant.textContent += event.text;
      scrollDown($("messages"));
      break;
    case "tool_start":
      state.assistant = null;
      addFeed("tool_start", "▶ " + event.name + " " + summarize(event.args, 300));
      addMessage("note", "⚙ " + event.name + " " + summarize(event.args, 120));
      break;
    case "tool_result":
      addFeed("tool_result" + (event.is_error ? " error" : ""),
              (event.is_error ? "✗ " : "✓ ") + event.name + "\n" + summarize(event.result, 1200));
      break;
    case "file_changed":
      addFeed("file_changed", "✎ " + event.action + " " + event.path + (event.from ? " (from " + event.from + ")" : ""));
      loadTree();
      break;
    case "preview_ready":
      addPreview(event.port, event.url);
      break;
    case "done": {
      const usage = event.usage || {};
      addFeed("done", "■ done (" + (event.stop_reason || "completed") + ", " + (usage.total_tokens || 0) + " tokens)");
      if (event.message) addMessage("note", event.message);
      break;
    }
    case "error":
      addFeed("tool_result error", "■ " + event.error);
      addMessage("failed", event.error);
      break;
  }
}

// Reads a text/event-stream body and hands each JSON event to handleEvent.
async function consume(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let boundary;
    while ((boundary = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).replace(/^ /, "")).join("\n");
      if (!data) continue;
      try { handleEvent(JSON.parse(data)); } catch (e) { showError("unreadable event: " + e.message); }
    }
  }
}

async function stream(method, path, body) {
  const controller = new AbortController();
  state.stream = controller;
  setRunning(true);
  try {
    const response = await fetch(path, {
      method, signal: controller.signal,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    loginIfRefused(response);
    if (!response.ok) {
      let message = "HTTP " + response.status;
      try { message = (await response.json()).error || message; } catch (e) {}
      throw new Error(message);
    }
    await consume(response);
  } catch (e) {
    if (e.name !== "AbortError") showError(e.message);
  } finally {
    if (state.stream === controller) { state.stream = null; setRunning(false); }
    state.assistant = null;
    loadThreads();
  }
}

async function loadProjects() {
  const data = await api("GET", "/api/projects");
  const select = $("project");
  select.textContent = "";
  for (const project of data.projects || []) {
    const option = el("option", "", project.name);
    option.value = project.name;
    select.appendChild(option);
  }
  const wanted = localStorage.getItem("benchtop.project") || data.default_project;
  if (wanted && [...select.options].some((o) => o.value === wanted)) select.value = wanted;
  state.project = select.value;
  if (!state.project) showError("No projects yet: start benchtop with --root DIR, or create one with the project_create tool.");
}

async function loadThreads() {
  if (!state.project) return;
  const data = await api("GET", "/api/threads?project=" + encodeURIComponent(state.project));
  const list = $("threads");
  list.textContent = "";
  state.threads = data.threads;
  for (const thread of data.threads) {
    const item = el("li", thread.id === (state.thread && state.thread.id) ? "active" : "");
    item.appendChild(el("span", "t", (thread.running ? "● " : "") + (thread.title || "New thread")));
    const del = el("button", "del", "✕");
    del.title = "Delete thread";
    del.onclick = async (e) => {
      e.stopPropagation();
      if (!confirm("Delete this thread?")) return;
      try {
        await api("DELETE", "/api/threads/" + thread.id);
        if (state.thread && state.thread.id === thread.id) { clearThread(); localStorage.removeItem("benchtop.thread"); }
        loadThreads();
      }
      catch (err) { showError(err.message); }
    };
    item.appendChild(del);
    item.onclick = () => openThread(thread.id).catch((err) => showError(err.message));
    list.appendChild(item);
  }
}

function clearThread() {
  if (state.stream) state.stream.abort();
  state.thread = null;
  $("messages").textContent = "";
  $("feed").textContent = "";
}

async function openThread(id) {
  clearThread();
  showError("");
  state.thread = await api("GET", "/api/threads/" + id);
  localStorage.setItem("benchtop.thread", id);
  const data = await api("GET", "/api/threads/" + id + "/messages");
  // While a run is going (the page was reloaded), its messages are drawn by replaying the run's
  // events instead: show history up to the run's user message, then re-attach to the stream.
  let shown = data.messages;
  if (data.running) {
    let last = -1;
    data.messages.forEach((m, i) => { if (m.role === "user") last = i; });
    shown = data.messages.slice(0, last + 1);
  }
  for (const message of shown) {
    if (message.role === "user") addMessage("user", message.content);
    else if (message.role === "assistant") {
      if (message.content) addMessage("assistant", message.content);
      for (const call of message.tool_calls || []) addMessage("note", "⚙ " + call.name + " " + summarize(call.args, 120));
    } else if (message.role === "tool") {
      addFeed("tool_result" + (message.is_error ? " error" : ""), (message.is_error ? "✗ " : "✓ ") + message.name + "\n" + summarize(message.content, 600));
    }
  }
  loadThreads();
  if (data.running) stream("GET", "/api/threads/" + id + "/events");
}

async function newThread() {
  if (!state.project) { showError("Choose a project first."); return; }
  const thread = await api("POST", "/api/threads", { project: state.project });
  await openThread(thread.id);
}

async function send(event) {
  event.preventDefault();
  const content = $("input").value.trim();
  if (!content || state.running) return;
  showError("");
  try { if (!state.thread) await newThread(); } catch (e) { showError(e.message); return; }
  $("input").value = "";
  addMessage("user", content);
  stream("POST", "/api/threads/" + state.thread.id + "/messages", { content });
}

async function cancelRun() {
  if (!state.thread) return;
  try { await api("POST", "/api/threads/" + state.thread.id + "/cancel", {}); }
  catch (e) { showError(e.message); }
}

async function loadTree() {
  if (!state.project) return;
  try {
    const data = await api("GET", "/api/projects/" + encodeURIComponent(state.project) + "/tree?depth=4");
    const list = $("tree");
    list.textContent = "";
    for (const entry of data.entries || []) {
      const depth = entry.path.split("/").length - 1;
      const item = el("li", entry.type, "  ".repeat(depth) + (entry.type === "directory" ? "▸ " : "") + entry.path.split("/").pop());
      if (entry.type === "file") item.onclick = () => openFile(entry.path);
      item.title = entry.path;
      list.appendChild(item);
    }
    if (data.truncated) list.appendChild(el("li", "directory", "… (more entries)"));
  } catch (e) { showError(e.message); }
}

async function openFile(path) {
  try {
    const data = await api("GET", "/api/projects/" + encodeURIComponent(state.project) + "/file?path=" + encodeURIComponent(path));
    $("file").textContent = data.kind === "text" ? data.content : "(" + data.kind + " file, " + data.size + " bytes)";
  } catch (e) { $("file").textContent = ""; showError(e.message); }
}

$("composer").addEventListener("submit", send);
$("input").addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) send(e); });
$("cancel").addEventListener("click", cancelRun);
$("new-thread").addEventListener("click", () => newThread().catch((e) => showError(e.message)));
$("refresh-tree").addEventListener("click", loadTree);
$("project").addEventListener("change", () => {
  state.project = $("project").value;
  localStorage.setItem("benchtop.project", state.project);
  clearThread();
  loadThreads().catch((e) => showError(e.message));
  loadTree();
});

(async () => {
  try {
    await loadProjects();
    await loadThreads();
    loadTree();
    // Back after a reload: reopen the thread that was open (re-attaching to its run if it is
    // still going).
    const last = localStorage.getItem("benchtop.thread");
    if (last && (state.threads || []).some((t) => t.id === last)) await openThread(last);
  } catch (e) { showError(e.message); }
})();
</script>
</body>
</html>
)page";
}

}  // namespace benchtop
