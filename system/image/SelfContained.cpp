#include "system/image/SelfContained.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "system/image/FileBytes.h"

namespace corokit::image {
namespace {

constexpr uint64_t kImageAlign = 16;

void put64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint64_t get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

bool pread_all(int fd, uint8_t* buf, size_t size, uint64_t offset) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, buf + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::vector<uint8_t> make_trailer(uint64_t image_offset, uint64_t image_size, uint32_t image_crc) {
  // offset u64 | size u64 | crc u32 | reserved u32 (0) | magic[8]
  std::vector<uint8_t> t(kTrailerSize, 0);
  put64(&t[0], image_offset);
  put64(&t[8], image_size);
  for (int i = 0; i < 4; ++i) t[16 + i] = static_cast<uint8_t>(image_crc >> (8 * i));
  std::memcpy(&t[24], kTrailerMagic, sizeof kTrailerMagic);
  return t;
}

Result<std::optional<EmbeddedImage>> parse_trailer(std::span<const uint8_t> tail, uint64_t file_size) {
  if (tail.size() != kTrailerSize || std::memcmp(&tail[24], kTrailerMagic, sizeof kTrailerMagic) != 0) {
    return std::optional<EmbeddedImage>{};
  }
  EmbeddedImage e;
  e.offset = get64(&tail[0]);
  e.size = get64(&tail[8]);
  e.crc = static_cast<uint32_t>(tail[16] | tail[17] << 8 | tail[18] << 16 | uint32_t{tail[19]} << 24);
  uint32_t reserved = static_cast<uint32_t>(tail[20] | tail[21] << 8 | tail[22] << 16 | uint32_t{tail[23]} << 24);
  if (reserved != 0 || file_size < kTrailerSize || e.offset > file_size - kTrailerSize ||
      e.size != file_size - kTrailerSize - e.offset) {
    return Error{"corrupt self-contained trailer (the image does not end where the trailer starts)"};
  }
  return std::optional<EmbeddedImage>{e};
}

Result<std::optional<std::vector<uint8_t>>> read_embedded_image(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open '" + path + "': " + std::strerror(errno)};
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return Error{"cannot stat '" + path + "': " + std::strerror(errno)};
  auto size = static_cast<uint64_t>(st.st_size);
  if (size < kTrailerSize) return std::optional<std::vector<uint8_t>>{};
  uint8_t tail[kTrailerSize];
  if (!pread_all(fd, tail, sizeof tail, size - kTrailerSize)) {
    return Error{"cannot read '" + path + "': " + std::strerror(errno)};
  }
  Result<std::optional<EmbeddedImage>> trailer = parse_trailer(tail, size);
  if (!trailer) return Error{"'" + path + "': " + trailer.error()};
  if (!trailer->has_value()) return std::optional<std::vector<uint8_t>>{};
  const EmbeddedImage& e = **trailer;
  std::vector<uint8_t> image(e.size);
  if (!pread_all(fd, image.data(), image.size(), e.offset)) {
    return Error{"cannot read the embedded image of '" + path + "': " + std::strerror(errno)};
  }
  if (static_cast<uint32_t>(crc32_z(0, image.data(), image.size())) != e.crc) {
    return Error{"'" + path + "': the embedded image is corrupt (CRC32 mismatch)"};
  }
  return std::optional<std::vector<uint8_t>>{std::move(image)};
}

Status write_self_contained(const std::string& out, std::span<const uint8_t> executable,
                            std::span<const std::span<const uint8_t>> image_pieces) {
  static const uint8_t zeros[kImageAlign] = {};
  uint64_t offset = (executable.size() + kImageAlign - 1) / kImageAlign * kImageAlign;
  uint64_t size = 0;
  uint32_t crc = 0;
  for (std::span<const uint8_t> p : image_pieces) {
    size += p.size();
    crc = static_cast<uint32_t>(crc32_z(crc, p.data(), p.size()));
  }
  std::vector<uint8_t> trailer = make_trailer(offset, size, crc);
  std::vector<std::span<const uint8_t>> pieces;
  pieces.push_back(executable);
  pieces.push_back({zeros, offset - executable.size()});
  pieces.insert(pieces.end(), image_pieces.begin(), image_pieces.end());
  pieces.push_back(trailer);
  return write_file_atomically(out, pieces, 0755);
}

}  // namespace corokit::image
