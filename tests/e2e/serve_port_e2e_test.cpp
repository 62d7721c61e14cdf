// `benchtop serve` on a port another server already listens on must refuse to start, whatever
// name the address is given by: two servers on one port would split the clients between them.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

#include "common/unique_fd.h"
#include "e2e/server_process.h"

namespace benchtop::e2e {
namespace {

// A TCP listener on 127.0.0.1 and a free port, held for the test's duration.
struct HeldPort {
  UniqueFd fd;
  int port = 0;
};

HeldPort hold_loopback_port() {
  HeldPort held;
  held.fd.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (!held.fd || ::bind(held.fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(held.fd.get(), 4) != 0 ||
      ::getsockname(held.fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ADD_FAILURE() << "cannot listen on 127.0.0.1";
    return held;
  }
  held.port = ntohs(address.sin_port);
  return held;
}

class ServePortTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ServePortTest, ExitsNonZeroNamingThePort) {
  const HeldPort held = hold_loopback_port();
  ASSERT_GT(held.port, 0);
  TempDir data_dir;
  const std::string port = std::to_string(held.port);
  ServerProcess server(
      {"serve", "--data-dir", data_dir.path().string(), "--listen", GetParam() + ":" + port});
  const auto code = server.wait_for_exit();
  ASSERT_TRUE(code.has_value()) << "serve kept running on a port in use";
  EXPECT_NE(*code, 0);
  const std::string errors = server.stderr_text();
  EXPECT_NE(errors.find("port " + port + " is already in use"), std::string::npos) << errors;
}

// "localhost" also resolves to ::1, where the port is free: that must not be taken instead.
INSTANTIATE_TEST_SUITE_P(Addresses, ServePortTest, ::testing::Values("127.0.0.1", "localhost"));

}  // namespace
}  // namespace benchtop::e2e
