// Logging a browser in to a server started with --token. A browser navigating to the chat page
// cannot send the bearer header, so, as in Jupyter, the user opens /?token=TOKEN once (or pastes
// the token into the login page shown to a browser without credentials); the answer is a redirect
// to / that sets a session cookie (see HttpAccess::session_cookie). The token never becomes the
// cookie and does not stay in the address bar.
#pragma once

#include "server/access/http_access.h"
#include "transport/http_server.h"

namespace benchtop {

// Wraps the page handler for GET /: with `?token=` it logs in (303 to / with the cookie, or 401
// and the login page when the token is wrong); otherwise it serves `page` to requests
// check_browser() admits, the login page (401) to those without credentials, and JSON 403 to
// foreign Host/Origin. `access` must outlive the handler.
HttpHandler page_with_login(const HttpAccess& access, HttpHandler page);

// POST /login with an application/x-www-form-urlencoded body `token=…`: the login form's target.
HttpHandler login_form_handler(const HttpAccess& access);

// POST /logout (behind HttpAccess::guard_browser): revokes the browser's session cookie, removes it
// from the browser, and redirects to / (303), where the login page then asks for the token.
HttpHandler logout_handler(const HttpAccess& access);

// Decodes one field of an application/x-www-form-urlencoded body ("" when absent).
std::string form_field(std::string_view body, std::string_view name);

}  // namespace benchtop
