// A minimal HTTP/1.0 GET for tests of the metrics endpoint.
#ifndef VIGIL_TESTS_SERVICE_HTTP_GET_H_
#define VIGIL_TESTS_SERVICE_HTTP_GET_H_

#include <string>

namespace vigil::testing {

// GET http://127.0.0.1:port/path: the whole response, headers included;
// empty when the connection fails.
std::string HttpGet(int port, const std::string& path);

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_SERVICE_HTTP_GET_H_
