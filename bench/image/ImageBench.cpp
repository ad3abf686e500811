// `corokit pack` of 63 PDs with 2 MiB ELFs, against copying the same bytes (BENCHMARKS.md target:
// copy time / pack time >= 0.3), and opening + verifying the resulting image against reading it.
// Both sides of each ratio are measured in the same run (CPU time, as every suite: the machines
// are shared). Smoke run: build/bench/image/image_bench --benchmark_min_time=0.01
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "bench/image/SyntheticElf.h"
#include "bench/support/RatioSummary.h"
#include "system/image/FileBytes.h"
#include "system/image/ImageFile.h"
#include "system/image/ImagePacker.h"
#include "system/sdf/Target.h"

namespace corokit::bench {
namespace {

constexpr int kPds = 63;
constexpr uint64_t kElfSize = 2 << 20;

// 63 ELFs, an SDF naming them, an output directory; removed at exit.
class Workload {
 public:
  Workload() {
    char tmpl[] = "/tmp/corokit-image-bench-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::string xml = "<system>\n  <memory_region name=\"shared\" size=\"0x1000\" />\n";
    for (int i = 0; i < kPds; ++i) {
      std::string name = "pd" + std::to_string(i);
      std::vector<uint8_t> elf = synthetic_pd_elf(kElfSize - 0x2000, static_cast<uint32_t>(i + 1));
      std::ofstream(dir_ + "/" + name + ".elf", std::ios::binary)
          .write(reinterpret_cast<const char*>(elf.data()), static_cast<std::streamsize>(elf.size()));
      elf_paths_.push_back(dir_ + "/" + name + ".elf");
      elf_bytes_ += elf.size();
      xml += "  <protection_domain name=\"" + name + "\" priority=\"" + std::to_string(i + 1) +
             "\">\n    <program_image path=\"" + name + ".elf\" />\n" +
             "    <map mr=\"shared\" vaddr=\"0x40000000\" perms=\"r\" setvar_vaddr=\"buffer_vaddr\" />\n"
             "  </protection_domain>\n";
    }
    xml += "</system>\n";
    std::ofstream(dir_ + "/system.xml") << xml;
    options_.target = *sdf::builtin_profile("host", 2);
    options_.search_paths = {dir_};
  }
  ~Workload() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // The floor: every ELF read and written, in order, into one file.
  void copy_floor() const {
    int out = ::open((dir_ + "/copy.bin").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    for (const std::string& p : elf_paths_) {
      Result<std::vector<uint8_t>> bytes = image::read_file_bytes(p);
      if (!bytes || ::write(out, bytes->data(), bytes->size()) != static_cast<ssize_t>(bytes->size())) std::abort();
    }
    ::close(out);
  }

  // What `corokit pack system.xml -o system.img` does. The 63 ELFs differ (each has its own seed),
  // so the image stores all 63 and the copy floor copies the same bytes the image holds.
  uint64_t pack() const {
    image::PackOutcome p = image::pack_sdf_file(dir_ + "/system.xml", options_);
    if (!p.image || p.image->elfs.size() != kPds) std::abort();
    image::EncodedImage enc = image::encode_image(*p.image);
    if (!image::write_file_atomically(image_path(), enc.pieces)) std::abort();
    return enc.size;
  }

  std::string image_path() const { return dir_ + "/system.img"; }
  uint64_t elf_bytes() const { return elf_bytes_; }

 private:
  std::string dir_;
  std::vector<std::string> elf_paths_;
  uint64_t elf_bytes_ = 0;
  sdf::CheckOptions options_;
};

Workload& workload() {
  static Workload w;
  return w;
}

void BM_Pack(benchmark::State& state) {
  Workload& w = workload();
  for (auto _ : state) benchmark::DoNotOptimize(w.pack());
  state.SetBytesProcessed(static_cast<int64_t>(w.elf_bytes()) * state.iterations());
}
BENCHMARK(BM_Pack)->Unit(benchmark::kMillisecond);

void BM_CopyFloor(benchmark::State& state) {
  Workload& w = workload();
  for (auto _ : state) w.copy_floor();
  state.SetBytesProcessed(static_cast<int64_t>(w.elf_bytes()) * state.iterations());
}
BENCHMARK(BM_CopyFloor)->Unit(benchmark::kMillisecond);

void BM_OpenAndVerify(benchmark::State& state) {
  Workload& w = workload();
  w.pack();
  for (auto _ : state) {
    Result<std::vector<uint8_t>> bytes = image::read_file_bytes(w.image_path());
    if (!bytes) std::abort();
    Result<image::SystemImage> img = image::decode_image(*bytes);
    if (!img) std::abort();
    benchmark::DoNotOptimize(img->pds.size());
  }
}
BENCHMARK(BM_OpenAndVerify)->Unit(benchmark::kMillisecond);

void BM_ReadFloor(benchmark::State& state) {
  Workload& w = workload();
  w.pack();
  for (auto _ : state) {
    Result<std::vector<uint8_t>> bytes = image::read_file_bytes(w.image_path());
    if (!bytes) std::abort();
    benchmark::DoNotOptimize(bytes->data());
  }
}
BENCHMARK(BM_ReadFloor)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace corokit::bench

int main(int argc, char** argv) {
  using namespace corokit::bench;
  return run_suite(argc, argv, "image", [](const Results& r, RatioTable& t) {
    if (r.has("BM_Pack") && r.has("BM_CopyFloor")) {
      t.faster_than("pack 63 PDs with 2 MiB ELFs vs copying the bytes", r.ns("BM_Pack"), r.ns("BM_CopyFloor"), 0.3,
                    "copy");
    }
    if (r.has("BM_OpenAndVerify") && r.has("BM_ReadFloor")) {
      t.info("image open + verify (126 MiB) vs reading it", format_ns(r.ns("BM_OpenAndVerify")),
             format_ns(r.ns("BM_ReadFloor")) + " read", r.ns("BM_OpenAndVerify") / r.ns("BM_ReadFloor"));
    }
  });
}
