#include "system/image/FileBytes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace corokit::image {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

std::string os_error(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + std::strerror(errno);
}

}  // namespace

Result<std::vector<uint8_t>> read_file_bytes(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Error{os_error("cannot open", path)};
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Error{os_error("cannot stat", path)};
  if (!S_ISREG(st.st_mode)) return Error{"'" + path + "' is not a regular file"};
  std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{os_error("cannot read", path)};
    if (n == 0) break;  // the file shrank while we read it
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

Status write_file_atomically(const std::string& path, std::span<const std::span<const uint8_t>> pieces,
                             unsigned mode) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (fd.get() < 0) return Error{os_error("cannot create", tmp)};
  for (std::span<const uint8_t> piece : pieces) {
    size_t done = 0;
    while (done < piece.size()) {
      ssize_t n = ::write(fd.get(), piece.data() + done, piece.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        Error e{os_error("cannot write", tmp)};
        ::unlink(tmp.c_str());
        return e;
      }
      done += static_cast<size_t>(n);
    }
  }
  // The umask applies at creation; the requested mode is what the caller asked for.
  if (::fchmod(fd.get(), mode) != 0 || ::close(fd.release()) != 0) {
    Error e{os_error("cannot finish", tmp)};
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e{os_error("cannot rename the output to", path)};
    ::unlink(tmp.c_str());
    return e;
  }
  return Ok{};
}

}  // namespace corokit::image
