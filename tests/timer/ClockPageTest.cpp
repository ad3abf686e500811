// The clock page (PROTOCOLS.md §2.4): the layout agrees between C and C++, the seqlock helpers
// publish and read it, the formulas of both sources, invalid pages are refused, and the offsets the
// raw timer example reads in the timer's information page are DeviceInfo's.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <thread>

#include "sdk/ClockPageReader.h"
#include "sdk/host/DeviceInfo.h"
#include "sdk/protocol/Timer.h"

extern "C" {
extern std::size_t corokit_c_clock_page_layout[];
std::uint64_t corokit_c_clock_page_roundtrip(std::uint32_t source, std::uint64_t epoch, std::uint64_t freq_hz,
                                             std::uint64_t reading);
}

namespace corokit {
namespace {

TEST(ClockPage, CAndCppAgreeOnTheLayoutAndLabels) {
  const std::size_t cpp[] = {
      sizeof(ck_clock_page),           alignof(ck_clock_page),
      offsetof(ck_clock_page, magic),  offsetof(ck_clock_page, version),
      offsetof(ck_clock_page, seq),    offsetof(ck_clock_page, source),
      offsetof(ck_clock_page, epoch),  offsetof(ck_clock_page, freq_hz),
      offsetof(ck_clock_page, resolution_ns),
      CK_TIMER_GET_TIME, CK_TIMER_SET_TIMEOUT, CK_TIMER_SET_DEADLINE, CK_TIMER_CANCEL, CK_TIMER_GET_INFO,
      CK_TIMER_OK, CK_TIMER_ERR,
  };
  const std::size_t spec[] = {40, 8, 0, 4, 8, 12, 16, 24, 32, 0, 1, 2, 3, 4, 0, 1};
  for (std::size_t i = 0; i < sizeof cpp / sizeof cpp[0]; ++i) {
    EXPECT_EQ(corokit_c_clock_page_layout[i], cpp[i]) << i;
    EXPECT_EQ(cpp[i], spec[i]) << i;
  }
}

TEST(ClockPage, MagicIsTheBytesCKCP) {
  ck_clock_page page{};
  ck_clock_page_publish(&page, CK_CLOCK_SOURCE_MONOTONIC, 0, 0, 1);
  const auto* bytes = reinterpret_cast<const unsigned char*>(&page);
  EXPECT_EQ(std::string(bytes, bytes + 4), "CKCP");
  EXPECT_EQ(page.version, 1u);
  EXPECT_EQ(page.seq, CK_CLOCK_PAGE_PUBLISHED);
}

TEST(ClockPage, TimeFromBothSources) {
  EXPECT_EQ(corokit_c_clock_page_roundtrip(CK_CLOCK_SOURCE_MONOTONIC, 1'000, 0, 5'000), 4'000u);
  EXPECT_EQ(corokit_c_clock_page_roundtrip(CK_CLOCK_SOURCE_MONOTONIC, 1'000, 0, 10), 0u);  // before the epoch
  // A 24 MHz counter: 24 ticks are 1 us; a 128-bit intermediate keeps huge readings exact.
  EXPECT_EQ(corokit_c_clock_page_roundtrip(CK_CLOCK_SOURCE_COUNTER, 100, 24'000'000, 124), 1'000u);
  const std::uint64_t ticks = 24'000'000ull * 86'400 * 365 * 100;  // a century of ticks
  EXPECT_EQ(corokit_c_clock_page_roundtrip(CK_CLOCK_SOURCE_COUNTER, 0, 24'000'000, ticks),
            1'000'000'000ull * 86'400 * 365 * 100);
}

TEST(ClockPage, InvalidPagesAreRefused) {
  ck_clock_page page{};
  ck_clock_page copy{};
  EXPECT_EQ(ck_clock_page_snapshot(&page, &copy), 0);  // unpublished
  ck_clock_page_publish(&page, CK_CLOCK_SOURCE_COUNTER, 0, 0, 1);
  EXPECT_EQ(ck_clock_page_snapshot(&page, &copy), 0);  // a counter without a frequency
  ck_clock_page_publish(&page, 7, 0, 0, 1);
  EXPECT_EQ(ck_clock_page_snapshot(&page, &copy), 0);  // an unknown source
  ck_clock_page_publish(&page, CK_CLOCK_SOURCE_MONOTONIC, 0, 0, 1);
  page.magic = 0;
  EXPECT_EQ(ck_clock_page_snapshot(&page, &copy), 0);
  ck_clock_page_publish(&page, CK_CLOCK_SOURCE_MONOTONIC, 0, 0, 1);
  page.seq = 3;  // a writer that died mid-update: bounded retries, then refused
  EXPECT_EQ(ck_clock_page_snapshot(&page, &copy), 0);
}

TEST(ClockPage, ReaderWaitsForPublicationThenReadsTheHostClock) {
  ck_clock_page page{};
  ClockPageReader reader(&page);
  EXPECT_FALSE(reader.ready());
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const std::uint64_t start = static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
  std::thread writer([&] { ck_clock_page_publish(&page, CK_CLOCK_SOURCE_MONOTONIC, start, 0, 1); });
  writer.join();
  ASSERT_TRUE(reader.ready());
  const std::uint64_t a = reader.now();
  const std::uint64_t b = reader.now();
  EXPECT_LE(a, b);
  EXPECT_LT(a, 60'000'000'000u);  // time since `start`, not since boot
}

TEST(ClockPage, TheRawTimerExampleReadsDeviceInfoAtTheseOffsets) {
  // examples/timer/c/timer.c: DEVICE_INFO_MAGIC 0x00, DEVICE_INFO_FD 0x14, DEVICE_INFO_EPOCH 0x68.
  EXPECT_EQ(offsetof(host::DeviceInfo, magic), 0x00u);
  EXPECT_EQ(offsetof(host::DeviceInfo, fd), 0x14u);
  EXPECT_EQ(offsetof(host::DeviceInfo, clock_epoch_ns), 0x68u);
}

}  // namespace
}  // namespace corokit
