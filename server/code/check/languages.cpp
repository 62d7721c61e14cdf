#include "server/code/check/languages.h"

#include <array>
#include <utility>

namespace benchtop::code_check {
namespace {

// Case matters: ".C" and ".H" are C++ by convention, ".c" is C.
constexpr std::array<std::pair<std::string_view, Language>, 24> kExtensions{{
    {"py", Language::kPython},      {"pyi", Language::kPython},     {"js", Language::kJavaScript},
    {"mjs", Language::kJavaScript}, {"cjs", Language::kJavaScript}, {"ts", Language::kTypeScript},
    {"tsx", Language::kTypeScript}, {"mts", Language::kTypeScript}, {"cts", Language::kTypeScript},
    {"sh", Language::kShell},       {"bash", Language::kShell},     {"c", Language::kC},
    {"h", Language::kCpp},          {"cc", Language::kCpp},         {"cpp", Language::kCpp},
    {"cxx", Language::kCpp},        {"hpp", Language::kCpp},        {"hh", Language::kCpp},
    {"hxx", Language::kCpp},        {"C", Language::kCpp},          {"H", Language::kCpp},
    {"c++", Language::kCpp},        {"go", Language::kGo},          {"rs", Language::kRust},
}};

}  // namespace

std::string_view language_name(Language language) {
  switch (language) {
    case Language::kPython:
      return "python";
    case Language::kJavaScript:
      return "javascript";
    case Language::kTypeScript:
      return "typescript";
    case Language::kShell:
      return "shell";
    case Language::kC:
      return "c";
    case Language::kCpp:
      return "c++";
    case Language::kGo:
      return "go";
    case Language::kRust:
      return "rust";
    case Language::kNone:
      break;
  }
  return "unknown";
}

Language language_of_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = name.rfind('.');
  // No dot, or only a leading one (".bashrc" is a hidden name, not an extension).
  if (dot == std::string_view::npos || dot == 0) return Language::kNone;
  const std::string_view extension = name.substr(dot + 1);
  for (const auto& [known, language] : kExtensions) {
    if (extension == known) return language;
  }
  return Language::kNone;
}

Language language_of_shebang(std::string_view first_line) {
  if (!first_line.starts_with("#!")) return Language::kNone;
  std::string_view rest = first_line.substr(2);
  auto next_word = [&rest]() {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    const size_t end = rest.find_first_of(" \t\r");
    std::string_view word = rest.substr(0, end);
    rest.remove_prefix(word.size());
    return word;
  };
  std::string_view program = next_word();
  const size_t slash = program.rfind('/');
  if (slash != std::string_view::npos) program.remove_prefix(slash + 1);
  if (program == "env") {
    program = next_word();
    while (program.starts_with('-')) program = next_word();  // env -S, env -i
  }
  return program == "sh" || program == "bash" || program == "dash" ? Language::kShell
                                                                   : Language::kNone;
}

}  // namespace benchtop::code_check
