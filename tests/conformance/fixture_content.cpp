#include <string>

#include "fixture.h"

namespace benchtop::conformance {
namespace {

using nlohmann::json;

json user_message(json content) {
  return {{"role", "user"}, {"content", std::move(content)}};
}

json text(const std::string& value) {
  return {{"type", "text"}, {"text", value}};
}

std::vector<std::string> starting_with(const std::vector<std::string>& candidates,
                                       const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& candidate : candidates) {
    if (candidate.rfind(prefix, 0) == 0) out.push_back(candidate);
  }
  return out;
}

Resource text_resource(std::string uri, std::string name, std::string body) {
  Resource resource;
  resource.uri = std::move(uri);
  resource.name = std::move(name);
  resource.description = "A fixed text resource";
  resource.mime_type = "text/plain";
  resource.read = [body = std::move(body)](const std::string& uri, ToolContext&) -> Result<json> {
    return json::array({{{"uri", uri}, {"mimeType", "text/plain"}, {"text", body}}});
  };
  return resource;
}

}  // namespace

void register_fixture_prompts(PromptRegistry& prompts) {
  prompts.add(
      {"test_simple_prompt",
       "",
       "A prompt without arguments",
       {},
       [](const std::map<std::string, std::string>&, ToolContext&) -> Result<json> {
         return json{{"messages", {user_message(text("This is a simple prompt for testing."))}}};
       },
       {}});
  prompts.add(
      {"test_prompt_with_arguments",
       "",
       "A prompt with two arguments",
       {{"arg1", "First test argument", true}, {"arg2", "Second test argument", true}},
       [](const std::map<std::string, std::string>& arguments, ToolContext&) -> Result<json> {
         return json{{"messages",
                      {user_message(text("Prompt with arguments: arg1='" + arguments.at("arg1") +
                                         "', arg2='" + arguments.at("arg2") + "'"))}}};
       },
       [](const std::string& argument, const std::string& value,
          const std::map<std::string, std::string>&) {
         if (argument == "arg1") return starting_with({"paris", "park", "party"}, value);
         return starting_with({"world", "work"}, value);
       }});
  prompts.add(
      {"test_prompt_with_embedded_resource",
       "",
       "A prompt that embeds a resource",
       {{"resourceUri", "URI of the resource to embed", true}},
       [](const std::map<std::string, std::string>& arguments, ToolContext&) -> Result<json> {
         return json{{"messages",
                      {user_message({{"type", "resource"},
                                     {"resource",
                                      {{"uri", arguments.at("resourceUri")},
                                       {"mimeType", "text/plain"},
                                       {"text", "Embedded resource content for testing."}}}}),
                       user_message(text("Please process the embedded resource above."))}}};
       },
       {}});
  prompts.add(
      {"test_prompt_with_image",
       "",
       "A prompt with an image",
       {},
       [](const std::map<std::string, std::string>&, ToolContext&) -> Result<json> {
         return json{
             {"messages",
              {user_message({{"type", "image"}, {"data", kPngBase64}, {"mimeType", "image/png"}}),
               user_message(text("Please analyze the image above."))}}};
       },
       {}});
  prompts.add({"test_input_required_result_prompt",
               "",
               "A prompt that asks the user for context",
               {},
               [](const std::map<std::string, std::string>&, ToolContext& context) -> Result<json> {
                 auto answer = context.elicit("What context should the prompt use?",
                                              {{"type", "object"},
                                               {"properties", {{"context", {{"type", "string"}}}}},
                                               {"required", {"context"}}},
                                              "user_context");
                 if (!answer) return answer.error();
                 const std::string given =
                     answer->value("content", json::object()).value("context", std::string());
                 return json{{"messages", {user_message(text("Use this context: " + given))}}};
               },
               {}});
}

void register_fixture_resources(ResourceRegistry& resources) {
  resources.add(text_resource("test://static-text", "static-text",
                              "This is the content of the static text resource."));
  Resource binary;
  binary.uri = "test://static-binary";
  binary.name = "static-binary";
  binary.description = "A 1x1 PNG";
  binary.mime_type = "image/png";
  binary.read = [](const std::string& uri, ToolContext&) -> Result<json> {
    return json::array({{{"uri", uri}, {"mimeType", "image/png"}, {"blob", kPngBase64}}});
  };
  resources.add(std::move(binary));
  resources.add(text_resource("test://watched-resource", "watched-resource",
                              "A resource clients may subscribe to."));
  resources.add(
      text_resource("test://example-resource", "example-resource", "An example resource."));

  ResourceTemplate data;
  data.uri_template = "test://template/{id}/data";
  data.name = "template-data";
  data.description = "Data for an id";
  data.mime_type = "application/json";
  data.read = [](const std::string& uri, const std::map<std::string, std::string>& variables,
                 ToolContext&) -> Result<json> {
    const std::string& id = variables.at("id");
    const json body = {{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}};
    return json::array({{{"uri", uri}, {"mimeType", "application/json"}, {"text", body.dump()}}});
  };
  data.complete = [](const std::string&, const std::string& value,
                     const std::map<std::string, std::string>&) {
    return starting_with({"123", "456", "789"}, value);
  };
  resources.add_template(std::move(data));
}

}  // namespace benchtop::conformance
