// What benchtop and a project's sandbox supervisor say to each other (frames: wire.h).
//
// The supervisor is the first process of a project's long-lived sandbox: it runs inside the
// sandbox's namespaces (pid, network, ipc, uts, mount, user) and starts every command of the
// project there, so commands see each other, share localhost and a persistent /tmp. It listens
// on a Unix socket benchtop created outside the sandbox (the socket's path is not visible
// inside) and serves any number of connections at once. Every request opens its own connection;
// the first frame on it is the request, `{"op": ..., ...}`. Answers are `{"ok": true, ...}` or
// `{"ok": false, "error": "what went wrong"}`.
//
//   hello      -> {"ok", "pid", "version", "runs", "idle_ms"}: the supervisor's pid (inside),
//              kProtocolVersion, how many `run` commands are in progress, and how long since the
//              last request other than hello (every benchtop using the sandbox counts).
//
//   run        {"command", "cwd", "env": {name: value}} with descriptors
//              [stdin, stdout, stderr, cgroup.procs or v1 tasks...]: starts `/bin/sh -c command` in
//              /workspace/<cwd> with exactly `env`, in a session of its own, its stdio on the
//              three descriptors (stderr may be the same pipe as stdout), after writing "0" to
//              each cgroup descriptor (so it and its descendants belong to the caller's
//              per-command cgroup from its first instruction).
//              -> {"ok", "pid"}; later, when the process exits, one more frame
//              {"exit": {"code": N} | {"signal": N}} and the supervisor closes the connection.
//              If the caller closes the connection first, the supervisor SIGKILLs the process's
//              group (the caller kills its cgroup too: that is what reaches setsid descendants).
//
//   start      {"command", "cwd", "env", "cgroup"} with descriptors [cgroup.procs...]: a
//              background process. The supervisor keeps its stdin pipe and merged
//              stdout+stderr in a ring of the last kRingBytes; `cgroup` is an opaque name the
//              caller chose, reported back so that any benchtop instance can kill the tree.
//              -> {"ok", "process": Process}
//   list       -> {"ok", "processes": [Process...]}, oldest first; running ones and the last
//              kKeptExited exited ones.
//   read       {"id", "since"?: offset, "tail"?: bytes, "max": bytes}
//              -> {"ok", "process": Process, "start", "next", "dropped"} with the bytes as the
//              frame's payload. Offsets count every byte the process ever wrote; `since`
//              reads from that offset (clamped to what the ring still holds; `dropped` says how
//              many bytes between `since` and `start` were lost); `tail` reads the last N bytes;
//              neither: everything the ring holds. At most `max` bytes; `next` is the offset
//              after the last byte returned.
//   write      {"id", "close"?: bool} with the bytes as payload -> {"ok", "written"}; bytes the
//              pipe cannot take at once are queued (at most kMaxQueuedInput, else an error).
//   signal     {"id", "signal": N} -> {"ok", "process": Process}: signals the process group.
//   forget     {"id"} -> {"ok"}: drops an exited process from the list.
//
//   connect    {"port": N} -> {"ok"} with one descriptor: a TCP connection, made inside the
//              sandbox's network namespace, to 127.0.0.1:N (else [::1]:N).
//   listeners  -> {"ok", "ports": [N...]}: TCP ports something in the sandbox listens on
//              (127.0.0.1, ::1 or any address), from /proc/net/tcp and /proc/net/tcp6.
//
// Process: {"id": "proc-N", "command", "pid", "running", "exit_code"?: N, "signal"?: N,
//           "output_bytes", "started_ms" (Unix epoch), "cgroup"}.
#pragma once

#include <cstddef>

namespace benchtop::supervisor {

inline constexpr int kProtocolVersion = 1;
inline constexpr size_t kRingBytes = 1024 * 1024;
inline constexpr size_t kKeptExited = 32;
inline constexpr size_t kMaxQueuedInput = 1024 * 1024;

}  // namespace benchtop::supervisor
