#include "tests/service/http_get.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vigil::testing {

namespace {

std::string Exchange(int port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    size_t sent = 0;
    while (sent < request.size()) {
      const ssize_t n =
          send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += n;
    }
    char buffer[4096];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof(buffer))) > 0) {
      response.append(buffer, n);
    }
  }
  close(fd);
  return response;
}

// The body of a chunked response, decoded (as it came when malformed).
std::string Unchunk(const std::string& body) {
  std::string out;
  size_t at = 0;
  while (at < body.size()) {
    const size_t eol = body.find("\r\n", at);
    if (eol == std::string::npos) return body;
    const size_t size = std::stoul(body.substr(at, eol - at), nullptr, 16);
    if (size == 0) return out;
    if (eol + 2 + size > body.size()) return body;
    out.append(body, eol + 2, size);
    at = eol + 2 + size + 2;  // the chunk and its CRLF
  }
  return out;
}

}  // namespace

std::string HttpGet(int port, const std::string& path) {
  return Exchange(port, "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
}

HttpResponse HttpRequest(int port, const std::string& method,
                         const std::string& path, const std::string& headers,
                         const std::string& body) {
  std::string request =
      method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n" + headers;
  if (!body.empty() || method == "POST") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  const std::string raw = Exchange(port, request);
  HttpResponse response;
  const size_t end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || end == std::string::npos) return response;
  response.status = std::stoi(raw.substr(9, 3));
  response.headers = raw.substr(0, end);
  response.body = raw.substr(end + 4);
  if (response.headers.find("Transfer-Encoding: chunked") !=
      std::string::npos) {
    response.body = Unchunk(response.body);
  }
  return response;
}

}  // namespace vigil::testing
