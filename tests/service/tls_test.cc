// TLS and mTLS with a test CA made at test time by the openssl command.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "service/server.h"
#include "tests/service/http_get.h"
#include "tests/service/test_server.h"
#include "tests/test_data.h"
#include "vigil/v1/analysis.grpc.pb.h"

namespace vigil::service {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// A CA, a server certificate for localhost/127.0.0.1 and a client
// certificate, all signed by the CA.
class TestPki {
 public:
  TestPki()
      : dir_(fs::path(::testing::TempDir()) /
             ("vigil_pki_" + std::to_string(getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const std::string d = dir_.string();
    const std::string cmd =
        "cd " + d + " && (" +
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "
        "/CN=vigil-test-ca "
        "-keyout ca.key -out ca.pem && "
        "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost "
        "-keyout server.key -out server.csr && "
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > san.ext && "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -days 2 -extfile san.ext -out server.pem && "
        "openssl req -newkey rsa:2048 -nodes -subj /CN=client "
        "-keyout client.key -out client.csr && "
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -days 2 -out client.pem) >/dev/null 2>&1";
    ok_ = std::system(cmd.c_str()) == 0;
  }
  bool ok() const { return ok_; }
  std::string path(const char* name) const { return (dir_ / name).string(); }
  std::string pem(const char* name) const { return Slurp(dir_ / name); }

 private:
  fs::path dir_;
  bool ok_ = false;
};

grpc::StatusCode CallAnalyze(std::shared_ptr<grpc::ChannelCredentials> creds,
                             int port) {
  auto stub = v1::AnalysisService::NewStub(
      grpc::CreateChannel("localhost:" + std::to_string(port), creds));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(5));
  v1::AnalyzeRequest request;
  request.mutable_post()->set_id("tls");
  request.mutable_post()->set_text("óc chó");
  v1::AnalyzeResponse response;
  grpc::Status status = stub->Analyze(&context, request, &response);
  if (status.ok()) {
    EXPECT_TRUE(response.verdict().flagged());
  }
  return status.error_code();
}

// Test server options serving TLS with `pki`'s server certificate.
ServerOptions TlsOptions(const TestPki& pki) {
  ServerOptions options = testing::TestServerOptions();
  options.tls_cert_path = pki.path("server.pem");
  options.tls_key_path = pki.path("server.key");
  return options;
}

TEST(TlsTest, ServerTlsAndMutualTls) {
  TestPki pki;
  if (!pki.ok()) GTEST_SKIP() << "the openssl command could not make a test CA";
  ServerOptions options = TlsOptions(pki);
  {
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    grpc::SslCredentialsOptions trust;
    trust.pem_root_certs = pki.pem("ca.pem");
    EXPECT_EQ(CallAnalyze(grpc::SslCredentials(trust), (*server)->port()),
              grpc::StatusCode::OK);
    EXPECT_NE(
        CallAnalyze(grpc::InsecureChannelCredentials(), (*server)->port()),
        grpc::StatusCode::OK);
  }
  options.tls_client_ca_path = pki.path("ca.pem");
  {
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    grpc::SslCredentialsOptions no_cert;
    no_cert.pem_root_certs = pki.pem("ca.pem");
    EXPECT_NE(CallAnalyze(grpc::SslCredentials(no_cert), (*server)->port()),
              grpc::StatusCode::OK);
    grpc::SslCredentialsOptions with_cert = no_cert;
    with_cert.pem_private_key = pki.pem("client.key");
    with_cert.pem_cert_chain = pki.pem("client.pem");
    EXPECT_EQ(CallAnalyze(grpc::SslCredentials(with_cert), (*server)->port()),
              grpc::StatusCode::OK);
  }
}

// GET https://127.0.0.1:port/ trusting `ca_path`, presenting the client
// certificate `cert_path` (with `key_path`) when set: the raw response,
// empty when the handshake or verification fails or the server closes.
std::string HttpsGet(int port, const std::string& ca_path,
                     const std::string& cert_path = "",
                     const std::string& key_path = "") {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(ctx, ca_path.c_str(), nullptr);
  if (!cert_path.empty()) {
    SSL_CTX_use_certificate_file(ctx, cert_path.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(ctx, key_path.c_str(), SSL_FILETYPE_PEM);
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  BIO* bio = BIO_new_ssl_connect(ctx);
  BIO_set_conn_hostname(bio, ("127.0.0.1:" + std::to_string(port)).c_str());
  SSL* ssl = nullptr;
  BIO_get_ssl(bio, &ssl);
  SSL_set_tlsext_host_name(ssl, "localhost");
  std::string response;
  if (BIO_do_connect(bio) == 1 && BIO_do_handshake(bio) == 1 &&
      SSL_get_verify_result(ssl) == X509_V_OK) {
    const std::string request = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
    BIO_write(bio, request.data(), static_cast<int>(request.size()));
    char buffer[4096];
    int n;
    while ((n = BIO_read(bio, buffer, sizeof(buffer))) > 0) {
      response.append(buffer, n);
    }
  }
  BIO_free_all(bio);
  SSL_CTX_free(ctx);
  return response;
}

TEST(TlsTest, ConsoleIsServedOverHttpsOnly) {
  TestPki pki;
  if (!pki.ok()) GTEST_SKIP() << "the openssl command could not make a test CA";
  ServerOptions options = TlsOptions(pki);
  options.http_listen = "127.0.0.1:0";
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->http_port();
  const std::string https = HttpsGet(port, pki.path("ca.pem"));
  EXPECT_THAT(https, HasSubstr("HTTP/1.1 200 OK"));
  EXPECT_THAT(https, HasSubstr("Content-Security-Policy"));
  // Plain HTTP on the same port gets no page.
  EXPECT_THAT(testing::HttpGet(port, "/"), ::testing::Not(HasSubstr("200 OK")));
}

// With a client CA, the HTTP port serves only clients whose certificate it
// signed (as the gRPC port does).
TEST(TlsTest, ConsoleWithAClientCaNeedsAClientCertificate) {
  TestPki pki;
  if (!pki.ok()) GTEST_SKIP() << "the openssl command could not make a test CA";
  ServerOptions options = TlsOptions(pki);
  options.tls_client_ca_path = pki.path("ca.pem");
  options.http_listen = "127.0.0.1:0";
  auto server = Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->http_port();
  EXPECT_THAT(HttpsGet(port, pki.path("ca.pem"), pki.path("client.pem"),
                       pki.path("client.key")),
              HasSubstr("HTTP/1.1 200 OK"));
  EXPECT_EQ(HttpsGet(port, pki.path("ca.pem")), "");
  // A certificate the client CA did not sign: the server's own is signed by
  // the same CA, so make one signed by a stranger.
  const std::string d = pki.path("");
  ASSERT_EQ(std::system(("cd " + d +
                         " && (openssl req -x509 -newkey rsa:2048 -nodes "
                         "-days 2 -subj /CN=stranger -keyout stranger.key "
                         "-out stranger.pem) >/dev/null 2>&1")
                            .c_str()),
            0);
  EXPECT_EQ(HttpsGet(port, pki.path("ca.pem"), pki.path("stranger.pem"),
                     pki.path("stranger.key")),
            "");
}

TEST(TlsTest, BadTlsOptionsFailToStart) {
  ServerOptions options = testing::TestServerOptions();
  options.tls_cert_path = "/nonexistent/server.pem";
  auto server = Server::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(std::string(server.status().message()),
              ::testing::HasSubstr("both a certificate and a private key"));
  options.tls_key_path = "/nonexistent/server.key";
  server = Server::Start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(std::string(server.status().message()),
              ::testing::HasSubstr("/nonexistent/server.pem: cannot read"));
}

}  // namespace
}  // namespace vigil::service
