// JSON-RPC framing: parse() and read_id() on arbitrary bytes never crash, the id they report is
// one a response may carry, and whatever parse() accepts survives a round trip through serialize().
#include <cstdlib>

#include "fuzz/fuzz_input.h"
#include "transport/json_rpc.h"

using namespace benchtop::jsonrpc;

namespace {

bool usable_id(const Id& id) {
  return id.is_null() || id.is_string() || id.is_number_integer();
}

void check_round_trip(const Request& request) {
  const Message again = parse(serialize(make_request(request.id, request.method, request.params)));
  const auto* copy = std::get_if<Request>(&again);
  if (copy == nullptr || copy->id != request.id || copy->method != request.method) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = benchtop::fuzz::as_text(data, size);
  const Message message = parse(text);
  if (!usable_id(read_id(text))) std::abort();
  if (const auto* request = std::get_if<Request>(&message)) {
    if (!usable_id(request->id) || request->id.is_null()) std::abort();
    check_round_trip(*request);
    (void)serialize(make_result(request->id, request->params));
  } else if (const auto* invalid = std::get_if<Invalid>(&message)) {
    if (!usable_id(invalid->id)) std::abort();
    const std::string answer = serialize(make_invalid_message_error(*invalid));
    if (!std::holds_alternative<Response>(parse(answer))) std::abort();
  } else if (const auto* notification = std::get_if<Notification>(&message)) {
    (void)serialize(make_notification(notification->method, notification->params));
  }
  return 0;
}
