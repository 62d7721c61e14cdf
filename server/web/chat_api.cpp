#include "server/web/chat_api.h"

#include <set>

#include "common/parse_number.h"
#include "server/project/project_json.h"
#include "server/web/chat_login.h"
#include "server/web/chat_page.h"
#include "server/workspace/browse/directory_listing.h"
#include "server/workspace/browse/file_reading.h"
#include "server/workspace/path_escape.h"
#include "server/workspace/workspace.h"
#include "transport/sse.h"

namespace benchtop {
namespace {

using Json = nlohmann::json;

HttpResponse json_response(int status, const Json& body) {
  return HttpResponse::json(status, body.dump());
}

HttpResponse error_response(int status, const std::string& message) {
  return json_response(status, {{"error", message}});
}

int status_for(const Error& error) {
  if (error.code == "not_found") return 404;
  if (error.code == "busy") return 409;
  if (error.code == "llm_not_configured") return 503;
  // What a browse request can get wrong about a path or a file, as the workspace guard and the
  // file reader name it.
  static const std::set<std::string, std::less<>> kBadRequest = {
      "invalid",         "invalid_path", "outside_workspace", "not_directory", "is_directory",
      "not_regular",     "binary",       "not_utf8",          "past_end",      "too_large",
      "invalid_argument"};
  if (kBadRequest.contains(error.code)) return 400;
  return 500;
}

HttpResponse from_error(const Error& error) {
  return error_response(status_for(error), error.message);
}

// The request body as a JSON object, or the 400 answer.
std::optional<Json> body_object(const HttpRequest& request, HttpResponse& refusal) {
  auto body = Json::parse(request.body.empty() ? "{}" : request.body, nullptr, false);
  if (!body.is_object()) {
    refusal = error_response(400, "the request body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

HttpResponse event_stream(std::shared_ptr<ChatRun> run, size_t from) {
  HttpResponse response;
  response.content_type = "text/event-stream";
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("X-Accel-Buffering", "no");
  response.stream = [run = std::move(run), from](StreamWriter& writer) {
    stream_run_events(*run, from, writer);
  };
  return response;
}

size_t resume_position(const HttpRequest& request) {
  auto text = request.header("Last-Event-ID");
  if (!text) text = request.query_param("after");
  if (!text || text->empty()) return 0;
  const auto id = parse_integer<size_t>(*text);  // ids are event indexes
  return id ? *id + 1 : 0;
}

// The project and path of a page's browse request, resolved by the workspace guard.
struct BrowseTarget {
  std::shared_ptr<const Workspace> workspace;
  std::string relative;
  std::string shown;
};

Result<BrowseTarget> browse_target(WorkspaceProvider& workspaces, const HttpRequest& request,
                                   const std::string& path) {
  auto workspace = workspaces.workspace(request.path_param("project").value_or(""));
  if (!workspace) return workspace.take_error();
  auto relative = (*workspace)->relative_path(path);
  if (!relative) return relative.take_error();
  BrowseTarget target{std::move(workspace).value(), std::move(relative).value(), {}};
  target.shown = target.relative.empty() ? "." : escape_path(target.relative);
  return target;
}

HttpHandler json_only(HttpHandler handler) {
  return [handler = std::move(handler)](const HttpRequest& request) {
    if (!has_json_content_type(request)) {
      return error_response(415, "Unsupported Media Type: send Content-Type: application/json");
    }
    return handler(request);
  };
}

}  // namespace

void stream_run_events(const ChatRun& run, size_t from, StreamWriter& writer) {
  size_t next = from;
  for (;;) {
    std::vector<Json> events;
    const bool finished = run.read(next, events, std::chrono::seconds(15));
    for (const auto& event : events) {
      if (!writer.write(sse::event(event.dump(), std::to_string(next++)))) return;
    }
    if (finished) return;
    // Nothing for a while: a comment keeps proxies from timing out and notices a gone client.
    if (events.empty() && !writer.write(sse::comment())) return;
  }
}

void register_chat_routes(HttpRouter& router, const HttpAccess& access, ChatService& chat,
                          const ProjectBrowsing& browsing) {
  // Every POST to the API carries JSON, even one without a body: a page on another site can send
  // text/plain or form POSTs without a CORS preflight, never JSON. (/logout stays a form: it is
  // the page's own button, and a cookie-authenticated POST must be same-origin anyway.)
  auto add = [&](std::string method, std::string pattern, HttpHandler handler) {
    if (method == "POST" && pattern.starts_with("/api/")) handler = json_only(std::move(handler));
    router.add(std::move(method), std::move(pattern), access.guard_browser(std::move(handler)));
  };

  // The page logs a browser in itself (see chat_login.h), so it is not wrapped like the API.
  router.add("POST", "/login", login_form_handler(access));
  add("POST", "/logout", logout_handler(access));
  router.add("GET", "/", page_with_login(access, [](const HttpRequest&) {
               HttpResponse response;
               response.content_type = "text/html; charset=utf-8";
               response.body = std::string(chat_page_html());
               response.headers.emplace_back("Cache-Control", "no-store");
               response.headers.emplace_back(
                   "Content-Security-Policy",
                   "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                   "connect-src 'self'; img-src 'self' data:");
               return response;
             }));

  add("POST", "/api/threads", [&chat](const HttpRequest& request) {
    HttpResponse refusal;
    auto body = body_object(request, refusal);
    if (!body) return refusal;
    if (!(*body)["project"].is_string()) {
      return error_response(400, "`project` (a project id or name) is required");
    }
    const std::string title = body->contains("title") && (*body)["title"].is_string()
                                  ? (*body)["title"].get<std::string>()
                                  : "";
    auto thread = chat.create_thread((*body)["project"].get<std::string>(), title);
    if (!thread) return from_error(thread.error());
    Json json = thread->to_json();
    json["running"] = false;
    return json_response(201, json);
  });

  add("GET", "/api/threads", [&chat](const HttpRequest& request) {
    auto threads = chat.store().list_threads(request.query_param("project").value_or(""));
    if (!threads) return from_error(threads.error());
    Json list = Json::array();
    for (const auto& thread : *threads) {
      Json json = thread.to_json();
      json["running"] = chat.running(thread.id);
      list.push_back(std::move(json));
    }
    return json_response(200, {{"threads", std::move(list)}});
  });

  add("GET", "/api/threads/{id}", [&chat](const HttpRequest& request) {
    const std::string id = request.path_param("id").value_or("");
    auto thread = chat.store().get_thread(id);
    if (!thread) return from_error(thread.error());
    Json json = thread->to_json();
    json["running"] = chat.running(id);
    return json_response(200, json);
  });

  add("GET", "/api/threads/{id}/messages", [&chat](const HttpRequest& request) {
    const std::string id = request.path_param("id").value_or("");
    if (auto thread = chat.store().get_thread(id); !thread) return from_error(thread.error());
    auto messages = chat.store().messages(id);
    if (!messages) return from_error(messages.error());
    Json list = Json::array();
    for (const auto& message : *messages) list.push_back(message.to_json());
    return json_response(200, {{"messages", std::move(list)}, {"running", chat.running(id)}});
  });

  add("DELETE", "/api/threads/{id}", [&chat](const HttpRequest& request) {
    const std::string id = request.path_param("id").value_or("");
    if (auto deleted = chat.delete_thread(id); !deleted) return from_error(deleted.error());
    return json_response(200, {{"deleted", id}});
  });

  add("POST", "/api/threads/{id}/messages", [&chat](const HttpRequest& request) {
    HttpResponse refusal;
    auto body = body_object(request, refusal);
    if (!body) return refusal;
    if (!(*body)["content"].is_string() || (*body)["content"].get<std::string>().empty()) {
      return error_response(400, "`content` (the user's message) must be a non-empty string");
    }
    auto run =
        chat.start(request.path_param("id").value_or(""), (*body)["content"].get<std::string>());
    if (!run) return from_error(run.error());
    return event_stream(std::move(run).value(), 0);
  });

  add("GET", "/api/threads/{id}/events", [&chat](const HttpRequest& request) {
    const std::string id = request.path_param("id").value_or("");
    if (auto thread = chat.store().get_thread(id); !thread) return from_error(thread.error());
    auto run = chat.latest_run(id);
    if (!run)
      return error_response(
          404, "no run has happened on this thread since the server started; read /messages");
    return event_stream(std::move(run), resume_position(request));
  });

  add("POST", "/api/threads/{id}/cancel", [&chat](const HttpRequest& request) {
    const std::string id = request.path_param("id").value_or("");
    if (auto thread = chat.store().get_thread(id); !thread) return from_error(thread.error());
    if (!chat.cancel(id)) return error_response(409, "no run is in progress on this thread");
    return json_response(200, {{"cancelled", true}});
  });

  add("GET", "/api/projects", [list_projects = browsing.list_projects](const HttpRequest&) {
    auto projects = list_projects();
    if (!projects) return from_error(projects.error());
    Json body = {{"projects", Json::array()}};
    for (const Project& project : *projects) {
      body["projects"].push_back(to_json(project));
      if (project.is_default) body["default_project"] = project.name;
    }
    return json_response(200, body);
  });

  add("GET", "/api/projects/{project}/tree",
      [&workspaces = browsing.workspaces](const HttpRequest& request) {
        ListOptions options;
        if (auto depth = request.query_param("depth")) {
          const auto number = parse_integer<int>(*depth);
          if (!number || *number < 1 || *number > ListOptions::kMaxDepth) {
            return error_response(400, "`depth` must be an integer from 1 to 10");
          }
          options.depth = *number;
        }
        auto target = browse_target(workspaces, request, request.query_param("path").value_or(""));
        if (!target) return from_error(target.error());
        auto listing = list_directory(*target->workspace, target->relative, options);
        if (!listing) return from_error(listing.error());
        Json entries = Json::array();
        for (const auto& entry : listing->entries) entries.push_back(to_json(entry));
        return json_response(200, {{"path", target->shown},
                                   {"depth", options.depth},
                                   {"entries", std::move(entries)},
                                   {"truncated", listing->truncated}});
      });

  add("GET", "/api/projects/{project}/file",
      [&workspaces = browsing.workspaces](const HttpRequest& request) {
        auto path = request.query_param("path");
        if (!path || path->empty()) return error_response(400, "`path` (a file path) is required");
        auto target = browse_target(workspaces, request, *path);
        if (!target) return from_error(target.error());
        auto content = read_file(*target->workspace, target->relative, target->shown, ReadWindow{});
        if (!content) return from_error(content.error());
        return json_response(200, to_json(*content, target->shown));
      });
}

}  // namespace benchtop
