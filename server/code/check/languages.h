// Which language a file is written in, for choosing its checker: by the extension of its name
// (the text after the last dot of the last component, compared whole), else by a shell shebang.
#pragma once

#include <string_view>

namespace benchtop::code_check {

enum class Language { kNone, kPython, kJavaScript, kTypeScript, kShell, kC, kCpp, kGo, kRust };

// The language's name as results show it ("python", "c++", ...).
std::string_view language_name(Language language);

// By extension only: "a.py" is Python, "a.py.txt", "py" and ".py" are not.
Language language_of_name(std::string_view path);

// By the first line of a file without a known extension: "#!/bin/sh", "#!/usr/bin/env bash",
// "#!/bin/bash -e" are shell scripts.
Language language_of_shebang(std::string_view first_line);

}  // namespace benchtop::code_check
