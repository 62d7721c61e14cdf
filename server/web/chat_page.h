// The chat page: one self-contained HTML document (styles and script inline, nothing fetched from
// elsewhere) that uses only the chat HTTP API.
#pragma once

#include <string_view>

namespace benchtop {

std::string_view chat_page_html();

}  // namespace benchtop
