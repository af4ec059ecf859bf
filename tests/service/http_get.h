// Minimal HTTP/1.0 clients for tests of the metrics and HTTP API endpoints.
#ifndef VIGIL_TESTS_SERVICE_HTTP_GET_H_
#define VIGIL_TESTS_SERVICE_HTTP_GET_H_

#include <string>

namespace vigil::testing {

// GET http://127.0.0.1:port/path: the whole response, headers included;
// empty when the connection fails.
std::string HttpGet(int port, const std::string& path);

struct HttpResponse {
  int status = 0;       // 0: no answer
  std::string headers;  // the status line and headers
  std::string body;
};

// `method` http://127.0.0.1:port/path with `headers` ("Name: value\r\n"
// each) and `body` (Content-Length is added when there is one). A chunked
// response body comes decoded.
HttpResponse HttpRequest(int port, const std::string& method,
                         const std::string& path, const std::string& headers,
                         const std::string& body);

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_SERVICE_HTTP_GET_H_
