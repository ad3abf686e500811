// The FAT reader against images made by the standard tools (mkfs.fat, mtools) in FAT12, FAT16 and
// FAT32, and against corrupted images: a corrupt volume is an error, never a crash.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "executor/fs/FatVolume.h"
#include "executor/host/HeapFramePool.h"
#include "executor/Executor.h"

namespace corokit::fs {
namespace {

namespace fsys = std::filesystem;

// Volume bytes in memory; reads complete at once.
struct MemoryReader {
  std::vector<uint8_t> bytes;
  size_t reads = 0;
  exec::Task<bool> read(uint64_t offset, std::span<uint8_t> out) {
    ++reads;
    if (offset > bytes.size() || out.size() > bytes.size() - offset) co_return false;
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
    co_return true;
  }
};

// One executor for the whole program: tasks allocate their frames from its pool when created.
struct TestExecutor {
  exec::HeapFramePool frames;
  exec::Executor executor{frames};
} g_executor;

template <typename T>
T run(exec::Task<T> task) {
  exec::Outcome<T> outcome = g_executor.executor.block_on(std::move(task));
  return std::move(outcome).value();
}

int sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

class FatImage : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    if (sh("command -v mkfs.fat && command -v mcopy") != 0) GTEST_SKIP() << "dosfstools/mtools missing";
    dir_ = fsys::temp_directory_path() / ("corokit-fat-" + std::to_string(::getpid()) + "-" + std::to_string(GetParam()));
    fsys::create_directories(dir_ / "site/docs/deep");
    write("site/index.html", "<h1>hello</h1>\n");
    write("site/docs/A Long File Name With Spaces.txt", std::string(5000, 'x'));
    std::string big;
    std::mt19937 rng(GetParam());
    for (int i = 0; i < 300000; ++i) big.push_back(char(rng()));
    write("site/docs/deep/big.bin", big);
    write("site/empty.txt", "");
    image_ = (dir_ / "fat.img").string();
    int fat = GetParam();
    std::string size_kib = fat == 32 ? "40000" : fat == 16 ? "20000" : "2000";
    ASSERT_EQ(sh("mkfs.fat -C -F " + std::to_string(fat) + " -n SITE " + image_ + " " + size_kib), 0);
    ASSERT_EQ(sh("MTOOLS_SKIP_CHECK=1 mcopy -s -i " + image_ + " " + (dir_ / "site").string() + "/* ::/"), 0);
    std::ifstream in(image_, std::ios::binary);
    reader_.bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  void TearDown() override {
    if (!dir_.empty()) fsys::remove_all(dir_);
  }
  void write(const std::string& rel, const std::string& content) {
    std::ofstream(dir_ / rel, std::ios::binary) << content;
  }
  std::string file(const std::string& rel) {
    std::ifstream in(dir_ / rel, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fsys::path dir_;
  std::string image_;
  MemoryReader reader_;
};

exec::Task<std::string> read_all(FatVolume<MemoryReader>& v, std::string path, FsError& err) {
  FatNode node;
  err = co_await v.lookup(path, node);
  if (err != FsError::None) co_return "";
  std::string out(node.size, '\0');
  size_t got = 0;
  err = co_await v.read(node, 0, std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), out.size()), got);
  out.resize(got);
  co_return out;
}

TEST_P(FatImage, MountsAndReadsEveryFileByteForByte) {
  FatVolume<MemoryReader> v(reader_);
  ASSERT_EQ(run(v.mount(reader_.bytes.size())), FsError::None);
  EXPECT_EQ(int(v.geometry().type), GetParam() == 12 ? 0 : GetParam() == 16 ? 1 : 2);
  for (const char* f : {"index.html", "docs/A Long File Name With Spaces.txt", "docs/deep/big.bin", "empty.txt"}) {
    FsError err = FsError::Corrupt;
    std::string got = run(read_all(v, std::string("/") + f, err));
    EXPECT_EQ(err, FsError::None) << f;
    EXPECT_EQ(got, file(std::string("site/") + f)) << f;
  }
}

TEST_P(FatImage, LookupIsCaseInsensitiveAndReportsErrors) {
  FatVolume<MemoryReader> v(reader_);
  ASSERT_EQ(run(v.mount(reader_.bytes.size())), FsError::None);
  FsError err;
  EXPECT_EQ(run(read_all(v, "/INDEX.HTML", err)), "<h1>hello</h1>\n");
  run(read_all(v, "/missing.html", err));
  EXPECT_EQ(err, FsError::NotFound);
  run(read_all(v, "/index.html/x", err));
  EXPECT_EQ(err, FsError::NotADirectory);
  run(read_all(v, "/docs", err));
  EXPECT_EQ(err, FsError::IsADirectory);
  FatNode docs;
  EXPECT_EQ(run(v.lookup("/docs/", docs)), FsError::None);
  EXPECT_TRUE(docs.directory);
}

TEST_P(FatImage, ListsDirectories) {
  FatVolume<MemoryReader> v(reader_);
  ASSERT_EQ(run(v.mount(reader_.bytes.size())), FsError::None);
  std::vector<std::string> names;
  auto list = [&]() -> exec::Task<FsError> {
    FatNode docs;
    FsError e = co_await v.lookup("/docs", docs);
    if (e != FsError::None) co_return e;
    co_return co_await v.list(docs, [&](const DirEntry& d) {
      names.emplace_back(d.view());
      return true;
    });
  };
  EXPECT_EQ(run(list()), FsError::None);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"A Long File Name With Spaces.txt", "deep"}));
}

TEST_P(FatImage, MapsContiguousExtents) {
  FatVolume<MemoryReader> v(reader_);
  ASSERT_EQ(run(v.mount(reader_.bytes.size())), FsError::None);
  auto map_all = [&]() -> exec::Task<uint64_t> {
    FatNode f;
    if (co_await v.lookup("/docs/deep/big.bin", f) != FsError::None) co_return 0;
    uint64_t covered = 0, extents = 0;
    for (;;) {
      Extent ex;
      if (co_await v.map(f, covered, UINT64_MAX, ex) != FsError::None || ex.length == 0) break;
      covered += ex.length;
      ++extents;
    }
    co_return extents == 0 ? 0 : covered;
  };
  EXPECT_EQ(run(map_all()), 300000u);
}

TEST_P(FatImage, CorruptedImagesAreErrorsNotCrashes) {
  std::mt19937 rng(GetParam() * 7919);
  const size_t metadata = std::min<size_t>(reader_.bytes.size(), 256 * 1024);
  const std::vector<uint8_t> pristine(reader_.bytes.begin(), reader_.bytes.begin() + metadata);
  for (int round = 0; round < 200; ++round) {
    std::copy(pristine.begin(), pristine.end(), reader_.bytes.begin());
    // Flip bytes in the metadata (boot sector, FATs, root directory): where corruption bites.
    for (int k = 0; k < 16; ++k) reader_.bytes[rng() % metadata] = uint8_t(rng());
    FatVolume<MemoryReader> v(reader_);
    if (run(v.mount(reader_.bytes.size())) != FsError::None) continue;
    FsError err;
    run(read_all(v, "/docs/deep/big.bin", err));
    run(read_all(v, "/index.html", err));
  }
  SUCCEED();
}

INSTANTIATE_TEST_SUITE_P(Fat, FatImage, ::testing::Values(12, 16, 32));

TEST(FatFormat, RejectsWhatIsNotFat) {
  std::vector<uint8_t> zeros(4096, 0);
  FatGeometry g;
  EXPECT_EQ(parse_boot_sector(zeros, zeros.size(), g), FsError::NotFat);
  MemoryReader r;
  r.bytes.assign(100, 0);
  FatVolume<MemoryReader> v(r);
  EXPECT_EQ(run(v.mount(100)), FsError::Io);
}

}  // namespace
}  // namespace corokit::fs
