#include "transport/http_module.h"

#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

// Weak: resolved when the module's objects are linked into the program (the test binaries), null
// otherwise (the product binary, which loads the shared object).
extern "C" const benchtop::HttpModuleApi* benchtop_http_module_v1() __attribute__((weak));

namespace benchtop {
namespace {

constexpr const char* kModuleFile = "libbenchtop_http.so";

std::vector<std::filesystem::path> module_candidates() {
  std::vector<std::filesystem::path> candidates;
  std::error_code error;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    const auto dir = executable.parent_path();
    candidates.push_back(dir / kModuleFile);                                     // build tree
    candidates.push_back(dir.parent_path() / "lib" / "benchtop" / kModuleFile);  // installed
  }
  return candidates;
}

Result<const HttpModuleApi*> load() {
  if (benchtop_http_module_v1 != nullptr) return benchtop_http_module_v1();
  std::string tried;
  for (const auto& candidate : module_candidates()) {
    // The handle is kept for the life of the process: the module's code runs until exit.
    void* handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      tried += "\n  " + candidate.string() + ": " + ::dlerror();
      continue;
    }
    using Entry = const HttpModuleApi* (*)();
    auto entry = reinterpret_cast<Entry>(::dlsym(handle, "benchtop_http_module_v1"));
    if (entry == nullptr) return Error::make(candidate.string() + " is not a benchtop HTTP module");
    const HttpModuleApi* api = entry();
    if (api == nullptr || api->abi != kHttpModuleAbi) {
      return Error::make(candidate.string() +
                         " was built for another version of benchtop; rebuild both together");
    }
    return api;
  }
  return Error::make("HTTP support is not available: cannot load " + std::string(kModuleFile) +
                     tried);
}

}  // namespace

Result<const HttpModuleApi*> http_module() {
  static std::once_flag once;
  static Result<const HttpModuleApi*> module = Error::make("not loaded");
  std::call_once(once, [] { module = load(); });
  return module;
}

}  // namespace benchtop
