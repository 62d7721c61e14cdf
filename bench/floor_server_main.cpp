// bench_floor_server ROOT: the floor under every stdio MCP server on this machine. It answers
// read_text_file {path} (server-filesystem's small-read call) with the system calls a safe read
// needs (openat2 beneath ROOT, fstat, pread, close, one write) and nothing else: no JSON parsing
// (the id and path are cut out of the line), no validation, one thread, the answer escaped by
// hand. Run next to real servers, its calls/s is what the pipe and the kernel allow here, which
// tells how much of a real server's time is its own. Not a server to use.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <string_view>

namespace {

// The raw text of `"key":<value>` in `line`: a number, or a string without escapes.
std::string_view raw_member(std::string_view line, std::string_view key) {
  const std::string needle = "\"" + std::string(key) + "\":";
  const size_t at = line.find(needle);
  if (at == std::string_view::npos) return {};
  const size_t start = at + needle.size();
  if (start < line.size() && line[start] == '"') {
    const size_t end = line.find('"', start + 1);
    return end == std::string_view::npos ? std::string_view() : line.substr(start, end - start + 1);
  }
  const size_t end = line.find_first_of(",}", start);
  return end == std::string_view::npos ? std::string_view() : line.substr(start, end - start);
}

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", c);
      out += escape;
    } else {
      out += c;
    }
  }
}

bool write_all(const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, data.data() + done, data.size() - done);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string read_file(int root, std::string_view root_path, std::string_view path) {
  if (path.substr(0, root_path.size()) == root_path) path.remove_prefix(root_path.size());
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const std::string relative(path);
  const int fd = static_cast<int>(::syscall(SYS_openat2, root, relative.c_str(), &how, sizeof how));
  if (fd < 0) return {};
  struct stat st {};
  std::string data;
  if (::fstat(fd, &st) == 0) {
    data.resize(static_cast<size_t>(st.st_size));
    const ssize_t n = ::pread(fd, data.data(), data.size(), 0);
    data.resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  ::close(fd);
  return data;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_floor_server ROOT\n");
    return 2;
  }
  const std::string root_path = argv[1];
  const int root = ::open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return 1;
  std::string input;
  std::string out;
  char chunk[65536];
  for (;;) {
    const size_t newline = input.find('\n');
    if (newline == std::string::npos) {
      const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
      if (n <= 0) return 0;
      input.append(chunk, static_cast<size_t>(n));
      continue;
    }
    const std::string line = input.substr(0, newline);
    input.erase(0, newline + 1);
    const std::string_view id = raw_member(line, "id");
    if (id.empty()) continue;  // a notification
    out = "{\"jsonrpc\":\"2.0\",\"id\":" + std::string(id) + ",\"result\":";
    const std::string_view method = raw_member(line, "method");
    if (method == "\"tools/call\"") {
      std::string_view path = raw_member(line, "path");
      if (path.size() >= 2) path = path.substr(1, path.size() - 2);
      const std::string text = read_file(root, root_path, path);
      out += "{\"content\":[{\"type\":\"text\",\"text\":\"";
      append_escaped(out, text);
      out += "\"}],\"structuredContent\":{\"content\":\"";
      append_escaped(out, text);
      out += "\"}}}\n";
    } else if (method == "\"tools/list\"") {
      out += R"({"tools":[{"name":"read_text_file","inputSchema":{"type":"object"}}]}})"
             "\n";
    } else if (method == "\"initialize\"") {
      out += R"({"protocolVersion":"2025-11-25","capabilities":{"tools":{}},)"
             R"("serverInfo":{"name":"floor","version":"0"}}})"
             "\n";
    } else {
      out += "{}}\n";
    }
    if (!write_all(out)) return 0;
  }
}
