// Outgoing requests over cpp-httplib (TLS through OpenSSL, certificates verified against the
// system store). Part of the HTTP module (see transport/http_module.h).
#include "transport/http_module/httplib_client.h"

#include <httplib.h>

#include <atomic>

namespace benchtop {
namespace {

class HttplibExchange final : public HttpExchange {
 public:
  explicit HttplibExchange(HttpClientRequest request)
      : request_(std::move(request)), client_(request_.origin) {
    using std::chrono::duration_cast;
    using std::chrono::microseconds;
    const auto connect = duration_cast<microseconds>(request_.connect_timeout).count();
    const auto read = duration_cast<microseconds>(request_.read_timeout).count();
    client_.set_connection_timeout(connect / 1'000'000, connect % 1'000'000);
    client_.set_read_timeout(read / 1'000'000, read % 1'000'000);
    client_.set_write_timeout(read / 1'000'000, read % 1'000'000);
    client_.set_keep_alive(false);
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    client_.enable_server_certificate_verification(true);
#endif
    if (!request_.bearer_token.empty()) client_.set_bearer_token_auth(request_.bearer_token);
  }

  HttpExchangeOutcome run(const std::function<void(const HttpResponseHead&)>& on_head,
                          const std::function<bool(std::string_view)>& on_body) override {
    HttpExchangeOutcome outcome;
    if (aborted_.load()) {
      outcome.transport_error = "aborted";
      return outcome;
    }
    httplib::Request request;
    request.method = request_.method;
    request.path = request_.path;
    request.body = request_.body;
    if (!request_.body.empty()) request.set_header("Content-Type", request_.content_type);
    for (const auto& [key, value] : request_.headers) request.set_header(key, value);
    request.response_handler = [&](const httplib::Response& response) {
      outcome.got_response = true;
      HttpResponseHead head;
      head.status = response.status;
      head.headers.assign(response.headers.begin(), response.headers.end());
      if (on_head) on_head(head);
      return !aborted_.load();
    };
    request.content_receiver = [&](const char* data, size_t length, uint64_t, uint64_t) {
      if (aborted_.load()) return false;
      return on_body ? on_body(std::string_view(data, length)) : true;
    };
    httplib::Response response;
    httplib::Error error = httplib::Error::Success;
    outcome.completed = client_.send(request, response, error) && !aborted_.load();
    if (!outcome.completed) {
      outcome.transport_error = aborted_.load() ? "aborted" : httplib::to_string(error);
    }
    return outcome;
  }

  void abort() override {
    aborted_.store(true);
    client_.stop();  // shuts the socket down, waking a blocked read
  }

 private:
  HttpClientRequest request_;
  httplib::Client client_;
  std::atomic<bool> aborted_{false};
};

}  // namespace

std::unique_ptr<HttpExchange> make_httplib_exchange(HttpClientRequest request) {
  return std::make_unique<HttplibExchange>(std::move(request));
}

}  // namespace benchtop
