#include <chrono>
#include <string>
#include <thread>

#include "fixture.h"

namespace benchtop::conformance {
namespace {

using nlohmann::json;

json object_schema(json properties = json::object(), json required = json::array()) {
  json schema = {{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) schema["required"] = std::move(required);
  return schema;
}

json string_property(const char* description) {
  return {{"type", "string"}, {"description", description}};
}

Tool make_tool(std::string name, std::string description, ToolHandler handler,
               json input_schema = object_schema()) {
  Tool tool;
  tool.name = std::move(name);
  tool.title = tool.name;
  tool.description = std::move(description);
  tool.input_schema = std::move(input_schema);
  tool.annotations = {.read_only = true, .destructive = false, .idempotent = true};
  tool.handler = std::move(handler);
  return tool;
}

ToolResult content(json items, bool is_error = false) {
  ToolResult result;
  result.content = std::move(items);
  result.is_error = is_error;
  return result;
}

// The pauses the scenarios ask for between notifications, so clients see them arrive apart; cut
// short when the call is cancelled.
void pause(const ToolContext& context, std::chrono::milliseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!context.cancelled() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// A failed request_client: under 2026-07-28 kInputRequired means "asked; the server answers with
// input_required", which the handler passes on by returning.
ToolResult failed(const Error& error) {
  return ToolResult::error(error.message);
}

json name_schema(const char* property) {
  return {{"type", "object"},
          {"properties", {{property, {{"type", "string"}}}}},
          {"required", {property}}};
}

json confirm_schema() {
  return {
      {"type", "object"}, {"properties", {{"ok", {{"type", "boolean"}}}}}, {"required", {"ok"}}};
}

json sampling_params(const std::string& text, int max_tokens) {
  return {{"messages", {{{"role", "user"}, {"content", {{"type", "text"}, {"text", text}}}}}},
          {"maxTokens", max_tokens}};
}

std::string sampled_text(const json& result) {
  if (result.contains("content") && result["content"].is_object()) {
    return result["content"].value("text", "");
  }
  return result.dump();
}

void add_content_tools(ToolRegistry& tools) {
  tools.add(make_tool("test_simple_text", "Returns a fixed text.", [](const json&, ToolContext&) {
    return content({{{"type", "text"}, {"text", "This is a simple text response for testing."}}});
  }));
  tools.add(make_tool("test_image_content", "Returns a 1x1 PNG.", [](const json&, ToolContext&) {
    return content({{{"type", "image"}, {"data", kPngBase64}, {"mimeType", "image/png"}}});
  }));
  tools.add(make_tool("test_audio_content", "Returns a short WAV.", [](const json&, ToolContext&) {
    return content({{{"type", "audio"}, {"data", kWavBase64}, {"mimeType", "audio/wav"}}});
  }));
  tools.add(make_tool("test_embedded_resource", "Returns an embedded text resource.",
                      [](const json&, ToolContext&) {
                        return content({{{"type", "resource"},
                                         {"resource",
                                          {{"uri", "test://embedded-resource"},
                                           {"mimeType", "text/plain"},
                                           {"text", "This is an embedded resource content."}}}}});
                      }));
  tools.add(make_tool("test_multiple_content_types", "Returns text, an image and a resource.",
                      [](const json&, ToolContext&) {
                        return content(
                            {{{"type", "text"}, {"text", "Multiple content types test:"}},
                             {{"type", "image"}, {"data", kPngBase64}, {"mimeType", "image/png"}},
                             {{"type", "resource"},
                              {"resource",
                               {{"uri", "test://mixed-content-resource"},
                                {"mimeType", "application/json"},
                                {"text", R"({"test":"data","value":123})"}}}}});
                      }));
  tools.add(make_tool("test_error_handling", "Always fails.", [](const json&, ToolContext&) {
    return ToolResult::error("This tool intentionally returns an error for testing");
  }));
  // The schema of the SEP-1613/SEP-2106 scenario, keyword for keyword: the listing must keep
  // $schema, $defs with an $anchor, allOf/anyOf and if/then/else.
  const json address = {
      {"$anchor", "addressDef"},
      {"type", "object"},
      {"properties", {{"street", {{"type", "string"}}}, {"city", {{"type", "string"}}}}}};
  tools.add(make_tool(
      "json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features",
      [](const json&, ToolContext&) { return ToolResult::text("JSON Schema 2020-12 tool called"); },
      {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
       {"type", "object"},
       {"$defs", {{"address", address}}},
       {"properties",
        {{"name", {{"type", "string"}}},
         {"address", {{"$ref", "#/$defs/address"}}},
         {"contactMethod", {{"type", "string"}, {"enum", {"phone", "email"}}}},
         {"phone", {{"type", "string"}}},
         {"email", {{"type", "string"}}}}},
       {"allOf", {{{"anyOf", {{{"required", {"phone"}}}, {{"required", {"email"}}}}}}}},
       {"if",
        {{"properties", {{"contactMethod", {{"const", "phone"}}}}},
         {"required", {"contactMethod"}}}},
       {"then", {{"required", {"phone"}}}},
       {"else", {{"required", {"email"}}}},
       {"additionalProperties", false}}));
  tools.add(make_tool(
      "test_custom_header", "Echoes its region argument, mirrored in the Mcp-Param-Region header.",
      [](const json& arguments, ToolContext&) {
        return ToolResult::text("region: " + arguments.value("region", std::string()));
      },
      object_schema(
          {{"region",
            {{"type", "string"}, {"description", "A region name"}, {"x-mcp-header", "Region"}}}})));
}

void add_notification_tools(ToolRegistry& tools) {
  tools.add(make_tool("test_tool_with_logging", "Logs three messages while it runs.",
                      [](const json&, ToolContext& context) {
                        context.log("info", "Tool execution started");
                        pause(context, std::chrono::milliseconds(50));
                        context.log("info", "Tool processing data");
                        pause(context, std::chrono::milliseconds(50));
                        context.log("info", "Tool execution completed");
                        return ToolResult::text("Logging test completed");
                      }));
  tools.add(make_tool("test_logging_tool", "Logs one message (at the request's log level only).",
                      [](const json&, ToolContext& context) {
                        context.log("info", "test_logging_tool ran");
                        return ToolResult::text("Logged");
                      }));
  tools.add(make_tool("test_tool_with_progress", "Reports progress 0, 50, 100 of 100.",
                      [](const json&, ToolContext& context) {
                        context.report_progress(0, 100);
                        pause(context, std::chrono::milliseconds(50));
                        context.report_progress(50, 100);
                        pause(context, std::chrono::milliseconds(50));
                        context.report_progress(100, 100);
                        return ToolResult::text("Progress test completed");
                      }));
  tools.add(make_tool("test_reconnection",
                      "Ends its SSE stream before answering, so the client must reconnect.",
                      [](const json&, ToolContext& context) {
                        context.close_stream();
                        pause(context, std::chrono::milliseconds(100));
                        return ToolResult::text("Reconnection test completed successfully");
                      }));
}

void add_client_request_tools(ToolRegistry& tools) {
  tools.add(make_tool(
      "test_sampling", "Asks the client's model to answer a prompt.",
      [](const json& arguments, ToolContext& context) {
        auto result =
            context.create_message(sampling_params(arguments.value("prompt", std::string()), 100));
        if (!result) return failed(result.error());
        return ToolResult::text("LLM response: " + sampled_text(*result));
      },
      object_schema({{"prompt", string_property("The prompt to send to the LLM")}}, {"prompt"})));
  tools.add(make_tool(
      "test_elicitation", "Asks the user for a username and an email address.",
      [](const json& arguments, ToolContext& context) {
        auto result = context.elicit(arguments.value("message", std::string()),
                                     {{"type", "object"},
                                      {"properties",
                                       {{"username", string_property("User's response")},
                                        {"email", string_property("User's email address")}}},
                                      {"required", {"username", "email"}}});
        if (!result) return failed(result.error());
        return ToolResult::text("User response: " + result->dump());
      },
      object_schema({{"message", string_property("The message to show the user")}}, {"message"})));
  tools.add(make_tool(
      "test_elicitation_sep1034_defaults", "Elicits fields that all have defaults.",
      [](const json&, ToolContext& context) {
        auto result = context.elicit("Please review these defaults",
                                     {{"type", "object"},
                                      {"properties",
                                       {{"name", {{"type", "string"}, {"default", "John Doe"}}},
                                        {"age", {{"type", "integer"}, {"default", 30}}},
                                        {"score", {{"type", "number"}, {"default", 95.5}}},
                                        {"status",
                                         {{"type", "string"},
                                          {"enum", {"active", "inactive", "pending"}},
                                          {"default", "active"}}},
                                        {"verified", {{"type", "boolean"}, {"default", true}}}}}});
        if (!result) return failed(result.error());
        return ToolResult::text("Elicitation completed: action=" + result->value("action", "") +
                                ", content=" + result->value("content", json::object()).dump());
      }));
  tools.add(make_tool(
      "test_elicitation_sep1330_enums", "Elicits the five enum variants.",
      [](const json&, ToolContext& context) {
        json titled = json::array({{{"const", "value1"}, {"title", "First Option"}},
                                   {{"const", "value2"}, {"title", "Second Option"}},
                                   {{"const", "value3"}, {"title", "Third Option"}}});
        json titled_multi = json::array({{{"const", "value1"}, {"title", "First Choice"}},
                                         {{"const", "value2"}, {"title", "Second Choice"}},
                                         {{"const", "value3"}, {"title", "Third Choice"}}});
        auto result = context.elicit(
            "Please choose",
            {{"type", "object"},
             {"properties",
              {{"untitledSingle",
                {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}},
               {"titledSingle", {{"type", "string"}, {"oneOf", titled}}},
               {"legacyEnum",
                {{"type", "string"},
                 {"enum", {"opt1", "opt2", "opt3"}},
                 {"enumNames", {"Option One", "Option Two", "Option Three"}}}},
               {"untitledMulti",
                {{"type", "array"},
                 {"items", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}}}},
               {"titledMulti", {{"type", "array"}, {"items", {{"anyOf", titled_multi}}}}}}}});
        if (!result) return failed(result.error());
        return ToolResult::text("Elicitation completed: action=" + result->value("action", "") +
                                ", content=" + result->value("content", json::object()).dump());
      }));
  tools.add(make_tool("test_missing_capability", "Needs sampling, whether declared or not.",
                      [](const json&, ToolContext& context) {
                        auto result = context.create_message(sampling_params("Say hi", 10));
                        if (!result) return failed(result.error());
                        return ToolResult::text(sampled_text(*result));
                      }));
  tools.add(make_tool("test_streaming_elicitation", "Asks the user a question.",
                      [](const json&, ToolContext& context) {
                        auto result = context.elicit("What is your name?", name_schema("name"));
                        if (!result) return failed(result.error());
                        return ToolResult::text("Thanks");
                      }));
}

void add_input_required_tools(ToolRegistry& tools) {
  tools.add(make_tool(
      "test_input_required_result_elicitation", "Asks for a name, then greets.",
      [](const json&, ToolContext& context) {
        auto answer = context.elicit("What is your name?", name_schema("name"), "user_name");
        if (!answer) return failed(answer.error());
        const json content = answer->value("content", json::object());
        return ToolResult::text("Hello, " + content.value("name", std::string("stranger")) + "!");
      }));
  tools.add(make_tool("test_input_required_result_sampling", "Asks the client's model a question.",
                      [](const json&, ToolContext& context) {
                        auto answer = context.create_message(
                            sampling_params("What is the capital of France?", 100),
                            "capital_question");
                        if (!answer) return failed(answer.error());
                        return ToolResult::text("Model said: " + sampled_text(*answer));
                      }));
  tools.add(make_tool(
      "test_input_required_result_list_roots", "Lists the client's roots.",
      [](const json&, ToolContext& context) {
        auto answer = context.request_client("roots/list", json::object(), "client_roots");
        if (!answer) return failed(answer.error());
        return ToolResult::text("Roots: " + answer->value("roots", json::array()).dump());
      }));
  tools.add(make_tool("test_input_required_result_request_state",
                      "Asks for confirmation, keeping state.",
                      [](const json&, ToolContext& context) {
                        auto answer = context.elicit("Please confirm", confirm_schema(), "confirm");
                        if (!answer) return failed(answer.error());
                        // The core opened and verified the sealed requestState before this retry
                        // ran.
                        return ToolResult::text("state-ok: confirmed");
                      }));
  tools.add(make_tool(
      "test_input_required_result_multiple_inputs", "Asks three questions at once.",
      [](const json&, ToolContext& context) {
        auto name = context.elicit("What is your name?", name_schema("name"), "user_name");
        auto greeting =
            context.create_message(sampling_params("Generate a greeting", 50), "greeting");
        auto roots = context.request_client("roots/list", json::object(), "client_roots");
        if (!name) return failed(name.error());
        if (!greeting) return failed(greeting.error());
        if (!roots) return failed(roots.error());
        return ToolResult::text("All inputs received");
      }));
  tools.add(make_tool("test_input_required_result_multi_round",
                      "Asks two questions, one per round.", [](const json&, ToolContext& context) {
                        auto name = context.elicit("Step 1: What is your name?",
                                                   name_schema("name"), "step1");
                        if (!name) return failed(name.error());
                        auto color = context.elicit("Step 2: What is your favorite color?",
                                                    name_schema("color"), "step2");
                        if (!color) return failed(color.error());
                        return ToolResult::text("Both rounds answered");
                      }));
  tools.add(make_tool("test_input_required_result_tampered_state",
                      "Asks for confirmation; the sealed state must come back unaltered.",
                      [](const json&, ToolContext& context) {
                        auto answer = context.elicit("Please confirm", confirm_schema(), "confirm");
                        if (!answer) return failed(answer.error());
                        return ToolResult::text("Confirmed");
                      }));
  tools.add(make_tool(
      "test_input_required_result_capabilities",
      "Asks only through the capabilities the client declared.",
      [](const json&, ToolContext& context) {
        bool asked = false;
        if (context.client_supports("sampling")) {
          asked = true;
          auto answer = context.create_message(sampling_params("Say hi", 10), "sample");
          if (!answer) return failed(answer.error());
        }
        if (context.client_supports("elicitation")) {
          asked = true;
          auto answer = context.elicit("What is your name?", name_schema("name"), "user_name");
          if (!answer) return failed(answer.error());
        }
        return ToolResult::text(asked ? "Answered" : "Nothing to ask");
      }));
}

}  // namespace

void register_fixture_tools(ToolRegistry& tools) {
  add_content_tools(tools);
  add_notification_tools(tools);
  add_client_request_tools(tools);
  add_input_required_tools(tools);
}

}  // namespace benchtop::conformance
