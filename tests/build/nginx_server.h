// A real HTTP server for the remote-cache tests: Debian's nginx with WebDAV PUT, started by the
// test on 127.0.0.1 at a free port, serving a directory of its own, stopped when the test ends.
// `/broken/` answers every request with 500, for a server that is up but failing.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "build/toolchain_discovery.h"
#include "core/atomic_file.h"

namespace aotc::test {

// nginx on PATH, or where Debian puts it (/usr/sbin is not on every user's PATH).
inline std::optional<std::filesystem::path> find_nginx() {
  if (auto found = find_executable("nginx")) return found;
  if (std::filesystem::exists("/usr/sbin/nginx")) return std::filesystem::path("/usr/sbin/nginx");
  return std::nullopt;
}

class NginxServer {
 public:
  // Starts nginx serving `dir`/data; started() says whether it answers.
  NginxServer(const std::filesystem::path& nginx, const std::filesystem::path& dir) : dir_(dir) {
    std::filesystem::create_directories(dir_ / "data");
    for (int attempt = 0; attempt < 5 && pid_ < 0; ++attempt) start(nginx);
  }
  ~NginxServer() { stop(); }
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::filesystem::path data() const { return dir_ / "data"; }

  // Fast shutdown (SIGTERM), waiting until it has exited.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  static int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    int port = -1;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
      port = ntohs(address.sin_port);
    }
    ::close(fd);
    return port;
  }

  static bool answers(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
  }

  void start(const std::filesystem::path& nginx) {
    port_ = free_port();
    if (port_ <= 0) return;
    const std::string d = dir_.string();
    // As root, nginx's workers would switch to "nobody" and could not write the test's files.
    std::string conf = std::string(::geteuid() == 0 ? "user root root;\n" : "") +
                       "daemon off;\nworker_processes 1;\npid " + d + "/nginx.pid;\n" +
                       "error_log " + d + "/error.log;\nevents { worker_connections 64; }\n" +
                       "http {\n  access_log " + d + "/access.log;\n" + "  client_body_temp_path " +
                       d + "/body;\n  proxy_temp_path " + d + "/proxy;\n  fastcgi_temp_path " + d +
                       "/fastcgi;\n  uwsgi_temp_path " + d + "/uwsgi;\n  scgi_temp_path " + d +
                       "/scgi;\n" + "  server {\n    listen 127.0.0.1:" + std::to_string(port_) +
                       ";\n" + "    root " + d + "/data;\n" +
                       "    location / { dav_methods PUT; create_full_put_path on; "
                       "client_max_body_size 0; }\n" +
                       "    location /broken/ { return 500; }\n  }\n}\n";
    const std::filesystem::path conf_path = dir_ / "nginx.conf";
    if (!write_file_atomic(conf_path, conf)) return;
    const std::string program = nginx.string(), conf_arg = conf_path.string();
    const std::string error_log = (dir_ / "error.log").string();
    pid_t pid = ::fork();
    if (pid == 0) {
      ::execl(program.c_str(), program.c_str(), "-c", conf_arg.c_str(), "-p", d.c_str(), "-e",
              error_log.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (pid < 0) return;
    for (int i = 0; i < 200; ++i) {  // up to 10 s on a loaded machine
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) return;  // exited: port taken meanwhile, retry
      if (answers(port_)) {
        pid_ = pid;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }

  std::filesystem::path dir_;
  int port_ = -1;
  pid_t pid_ = -1;
};

}  // namespace aotc::test
