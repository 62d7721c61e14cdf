// The seccomp filter every bubblewrap sandbox runs under: a deny-list comparable to Docker's
// default profile (the system calls that reach kernel attack surface or host-wide state without
// serving ordinary development work), plus systemd's RestrictSUIDSGID= rules, built with
// libseccomp and exported as a classic BPF program for `bwrap --seccomp FD`.
#pragma once

#include <string>

#include "common/result.h"
#include "common/unique_fd.h"

namespace benchtop {

// The BPF program (struct sock_filter[]), built once per process.
Result<std::string> sandbox_seccomp_program();

// A fresh, read-only-sealed memfd holding `bytes` at offset 0: one per consumer, since bwrap
// reads it from the current offset. Close-on-exec: pass it through SpawnOptions::keep_fds.
Result<UniqueFd> memfd_holding(const char* name, const std::string& bytes);

}  // namespace benchtop
