#include "system/image/SelfContained.h"

#include <gtest/gtest.h>

#include "system/image/FileBytes.h"
#include "tests/image/PackSupport.h"

namespace corokit::image {
namespace {

std::vector<uint8_t> fake_executable() {
  std::vector<uint8_t> exe(1001);
  for (size_t i = 0; i < exe.size(); ++i) exe[i] = static_cast<uint8_t>(i);
  return exe;
}

std::vector<uint8_t> fake_image() { return std::vector<uint8_t>(333, 0xab); }

TEST(SelfContained, TrailerRoundTrips) {
  test::ScratchDir dir;
  std::vector<uint8_t> exe = fake_executable(), img = fake_image();
  std::vector<std::span<const uint8_t>> pieces = {std::span<const uint8_t>(img).first(100),
                                                  std::span<const uint8_t>(img).subspan(100)};
  std::string out = dir.file("system");
  ASSERT_TRUE(write_self_contained(out, exe, pieces).ok());
  Result<std::vector<uint8_t>> all = read_file_bytes(out);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1008 + 333 + kTrailerSize);  // executable padded to 16
  EXPECT_TRUE(std::equal(exe.begin(), exe.end(), all->begin())) << "the executable comes first, unchanged";

  Result<std::optional<std::vector<uint8_t>>> embedded = read_embedded_image(out);
  ASSERT_TRUE(embedded.ok()) << embedded.error();
  ASSERT_TRUE(embedded->has_value());
  EXPECT_EQ(**embedded, img);
}

TEST(SelfContained, PlainFilesHaveNoImage) {
  test::ScratchDir dir;
  std::string exe = dir.write("exe", fake_executable());
  Result<std::optional<std::vector<uint8_t>>> r = read_embedded_image(exe);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  std::string tiny = dir.write("tiny", std::string("x"));
  ASSERT_TRUE(read_embedded_image(tiny).ok());
  EXPECT_FALSE(read_embedded_image(dir.file("absent")).ok());
}

TEST(SelfContained, DamageIsDetected) {
  test::ScratchDir dir;
  std::vector<uint8_t> exe = fake_executable(), img = fake_image();
  std::vector<std::span<const uint8_t>> pieces = {img};
  std::string out = dir.file("system");
  ASSERT_TRUE(write_self_contained(out, exe, pieces).ok());
  std::vector<uint8_t> good = *read_file_bytes(out);

  std::vector<uint8_t> flipped = good;
  flipped[1010] ^= 4;  // inside the image
  Result<std::optional<std::vector<uint8_t>>> r = read_embedded_image(dir.write("flipped", flipped));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("CRC32 mismatch"), std::string::npos) << r.error();

  std::vector<uint8_t> bad_offset = good;
  bad_offset[good.size() - kTrailerSize] ^= 1;
  EXPECT_FALSE(read_embedded_image(dir.write("bad_offset", bad_offset)).ok());

  std::vector<uint8_t> truncated(good.begin() + 5, good.end());  // the offset no longer adds up
  EXPECT_FALSE(read_embedded_image(dir.write("truncated", truncated)).ok());
}

TEST(SelfContained, ParseTrailerChecksEverything) {
  std::vector<uint8_t> t = make_trailer(16, 100, 0x1234);
  auto ok = parse_trailer(t, 16 + 100 + kTrailerSize);
  ASSERT_TRUE(ok.ok());
  ASSERT_TRUE(ok->has_value());
  EXPECT_EQ((*ok)->offset, 16u);
  EXPECT_EQ((*ok)->size, 100u);
  EXPECT_EQ((*ok)->crc, 0x1234u);
  EXPECT_FALSE(parse_trailer(t, 16 + 100 + kTrailerSize + 1).ok());
  EXPECT_FALSE(parse_trailer(t, 10).ok());
  std::vector<uint8_t> reserved = t;
  reserved[21] = 1;
  EXPECT_FALSE(parse_trailer(reserved, 16 + 100 + kTrailerSize).ok());
  std::vector<uint8_t> no_magic = t;
  no_magic[31] ^= 1;
  auto none = parse_trailer(no_magic, 16 + 100 + kTrailerSize);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace corokit::image
