#include "server/mcp/schema/schema_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace benchtop {

namespace {

// Bounds on backtracking, so that a schema pattern like "(a+)+$" cannot stall a tool call on a
// hostile string. Far above what any sensible pattern needs on argument-sized strings.
constexpr uint32_t kMatchLimit = 1'000'000;
constexpr uint32_t kDepthLimit = 10'000;

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  const int n = pcre2_get_error_message(code, buffer, sizeof buffer);
  if (n < 0) return "PCRE2 error " + std::to_string(code);
  return std::string(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
}

struct MatchDataDeleter {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};

}  // namespace

struct SchemaRegex::Code {
  struct CodeDeleter {
    void operator()(pcre2_code* code) const { pcre2_code_free(code); }
  };
  struct ContextDeleter {
    void operator()(pcre2_match_context* context) const { pcre2_match_context_free(context); }
  };
  std::unique_ptr<pcre2_code, CodeDeleter> code;
  std::unique_ptr<pcre2_match_context, ContextDeleter> limits;
};

SchemaRegex::SchemaRegex(std::string source, std::unique_ptr<Code> code)
    : source_(std::move(source)), code_(std::move(code)) {}
SchemaRegex::SchemaRegex(SchemaRegex&&) noexcept = default;
SchemaRegex& SchemaRegex::operator=(SchemaRegex&&) noexcept = default;
SchemaRegex::~SchemaRegex() = default;

Result<SchemaRegex> SchemaRegex::compile(std::string_view pattern) {
  struct CompileContextDeleter {
    void operator()(pcre2_compile_context* context) const { pcre2_compile_context_free(context); }
  };
  std::unique_ptr<pcre2_compile_context, CompileContextDeleter> context(
      pcre2_compile_context_create(nullptr));
  if (!context) return Error::make("out of memory compiling pattern");
  pcre2_set_compile_extra_options(context.get(), PCRE2_EXTRA_ALT_BSUX);

  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* raw = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                  PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_BSUX, &error_code,
                                  &error_offset, context.get());
  if (!raw) {
    return Error::make("invalid pattern \"" + std::string(pattern) + "\": " +
                       pcre2_message(error_code) + " at offset " + std::to_string(error_offset));
  }
  auto code = std::make_unique<Code>();
  code->code.reset(raw);
  code->limits.reset(pcre2_match_context_create(nullptr));
  if (!code->limits) return Error::make("out of memory compiling pattern");
  pcre2_set_match_limit(code->limits.get(), kMatchLimit);
  pcre2_set_depth_limit(code->limits.get(), kDepthLimit);
  return SchemaRegex(std::string(pattern), std::move(code));
}

Result<bool> SchemaRegex::search(std::string_view subject) const {
  // Match data is per call: the compiled code is shared read-only between concurrent tool calls.
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> match(
      pcre2_match_data_create_from_pattern(code_->code.get(), nullptr));
  if (!match) return Error::make("out of memory matching pattern");
  static constexpr char kEmpty[] = "";
  const char* data = subject.data() ? subject.data() : kEmpty;  // PCRE2 wants non-null
  const int rc = pcre2_match(code_->code.get(), reinterpret_cast<PCRE2_SPTR>(data), subject.size(),
                             0, 0, match.get(), code_->limits.get());
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  return Error::make(pcre2_message(rc));
}

}  // namespace benchtop
