#include "server/agent/llm_config.h"

#include <cstdlib>

namespace benchtop {

std::string LlmConfig::describe() const {
  return "model '" + model + "' at " + base_url;
}

std::optional<std::string> LlmConfig::missing() const {
  if (base_url.empty()) {
    return "no language model is configured: set BENCHTOP_LLM_BASE_URL (e.g. "
           "https://api.openai.com/v1), BENCHTOP_LLM_MODEL and, if the provider needs one, "
           "BENCHTOP_LLM_API_KEY";
  }
  if (model.empty()) return "no model is configured: set BENCHTOP_LLM_MODEL (e.g. gpt-4.1-mini)";
  return std::nullopt;
}

LlmConfig LlmConfig::from_environment(
    const std::function<std::optional<std::string>(std::string_view)>& lookup) {
  auto first = [&](std::string_view primary,
                   std::string_view fallback) -> std::optional<std::string> {
    if (auto value = lookup(primary); value && !value->empty()) return value;
    if (auto value = lookup(fallback); value && !value->empty()) return value;
    return std::nullopt;
  };
  LlmConfig config;
  config.api_key = first("BENCHTOP_LLM_API_KEY", "OPENAI_API_KEY").value_or("");
  config.base_url = first("BENCHTOP_LLM_BASE_URL", "OPENAI_BASE_URL").value_or("");
  if (config.base_url.empty() && !config.api_key.empty()) {
    config.base_url = "https://api.openai.com/v1";
  }
  while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
  config.model = first("BENCHTOP_LLM_MODEL", "OPENAI_MODEL").value_or("");
  return config;
}

LlmConfig LlmConfig::from_process_environment() {
  return from_environment([](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  });
}

Result<LlmEndpoint> parse_llm_base_url(const std::string& base_url) {
  LlmEndpoint endpoint;
  std::string rest;
  if (base_url.rfind("https://", 0) == 0) {
    endpoint.tls = true;
    rest = base_url.substr(8);
  } else if (base_url.rfind("http://", 0) == 0) {
    rest = base_url.substr(7);
  } else {
    return Error::make("the LLM base URL must start with https:// or http:// (got '" + base_url +
                       "')");
  }
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  if (authority.empty()) return Error::make("the LLM base URL has no host: '" + base_url + "'");
  endpoint.origin = (endpoint.tls ? "https://" : "http://") + authority;
  if (slash != std::string::npos) endpoint.path_prefix = rest.substr(slash);
  while (!endpoint.path_prefix.empty() && endpoint.path_prefix.back() == '/') {
    endpoint.path_prefix.pop_back();
  }
  return endpoint;
}

}  // namespace benchtop
