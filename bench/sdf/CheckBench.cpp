// `corokit check` of the largest legal system (BENCHMARKS.md: < 20 ms): 63 PDs with 62 channel
// ids each, 1000 memory regions, every PD mapping many regions. The floor is the XML parse alone
// (tinyxml2 over the same text), measured in the same run; the curve checks that the cost per
// element stays flat as the system grows.
#include <benchmark/benchmark.h>
#include <tinyxml2.h>

#include <string>

#include "bench/support/RatioSummary.h"
#include "system/sdf/SystemLoader.h"

namespace {

using corokit::sdf::CheckOptions;

struct Generated {
  std::string xml;
  size_t elements = 0;
};

// `pds` PDs, each with a channel to every other PD (ids 0..pds-2), `mrs` regions of which each
// PD maps `maps` consecutive ones; pp from each PD to the next (higher priority) one.
Generated generate(int pds, int mrs, int maps) {
  Generated g;
  std::string& x = g.xml;
  x.reserve(1 << 20);
  x += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<system>\n";
  ++g.elements;
  for (int m = 0; m < mrs; ++m) {
    x += "  <memory_region name=\"mr" + std::to_string(m) + "\" size=\"0x1000\" />\n";
    ++g.elements;
  }
  for (int p = 0; p < pds; ++p) {
    x += "  <protection_domain name=\"pd" + std::to_string(p) + "\" priority=\"" +
         std::to_string(p + 1) + "\" stack_size=\"0x4000\">\n";
    x += "    <program_image path=\"pd" + std::to_string(p) + ".elf\" />\n";
    g.elements += 2;
    for (int k = 0; k < maps; ++k) {
      int mr = (p * maps + k) % mrs;
      char vaddr[32];
      std::snprintf(vaddr, sizeof vaddr, "0x%x", 0x1000'0000 + k * 0x1000);
      x += "    <map mr=\"mr" + std::to_string(mr) + "\" vaddr=\"" + vaddr +
           "\" perms=\"rw\" setvar_vaddr=\"v" + std::to_string(k) + "\" />\n";
      ++g.elements;
    }
    x += "  </protection_domain>\n";
  }
  for (int a = 0; a < pds; ++a) {
    for (int b = a + 1; b < pds; ++b) {
      int id_in_a = b - 1;  // ids 0..pds-2 in every PD
      int id_in_b = a;
      x += "  <channel>\n    <end pd=\"pd" + std::to_string(a) + "\" id=\"" + std::to_string(id_in_a) +
           "\"" + (b == a + 1 ? " pp=\"true\"" : "") + " />\n    <end pd=\"pd" + std::to_string(b) +
           "\" id=\"" + std::to_string(id_in_b) + "\" />\n  </channel>\n";
      g.elements += 3;
    }
  }
  x += "</system>\n";
  return g;
}

CheckOptions options() {
  CheckOptions o;
  o.target = corokit::sdf::builtin_profile("host", 4).value();
  return o;
}

// Sizes for the curve: (pds, mrs, maps per PD); the last is the largest legal system.
constexpr int kSizes[][3] = {{8, 125, 32}, {16, 250, 32}, {32, 500, 32}, {63, 1000, 32}};

void BM_Check(benchmark::State& state) {
  const auto* size = kSizes[state.range(0)];
  Generated g = generate(size[0], size[1], size[2]);
  CheckOptions o = options();
  for (auto _ : state) {
    corokit::sdf::LoadedSystem r = corokit::sdf::load_system_text(g.xml, "largest.xml", o);
    if (!r.ok()) state.SkipWithError("the generated system does not check clean");
    benchmark::DoNotOptimize(r.system.pds.data());
  }
  state.counters["elements"] = static_cast<double>(g.elements);
  state.counters["pds"] = size[0];
}
BENCHMARK(BM_Check)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

void BM_XmlParseFloor(benchmark::State& state) {
  Generated g = generate(63, 1000, 32);
  for (auto _ : state) {
    tinyxml2::XMLDocument doc;
    doc.Parse(g.xml.data(), g.xml.size());
    benchmark::DoNotOptimize(doc.RootElement());
  }
}
BENCHMARK(BM_XmlParseFloor)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  using namespace corokit::bench;
  return run_suite(argc, argv, "sdf", [](const Results& r, RatioTable& t) {
    const std::string largest = "BM_Check/3";
    if (!r.has(largest)) return;
    t.at_most("check of the largest legal system", r.ns(largest) / 1e6, 20.0, "ms");
    t.info("check vs XML parse alone (same text)", format_ns(r.ns(largest)),
           format_ns(r.ns("BM_XmlParseFloor")) + " parse", r.ns(largest) / r.ns("BM_XmlParseFloor"));
    const double base = r.ns("BM_Check/0") / r.counter("BM_Check/0", "elements");
    for (int i = 0; i < 4; ++i) {
      std::string name = "BM_Check/" + std::to_string(i);
      double per_element = r.ns(name) / r.counter(name, "elements");
      t.info("cost per element, " + std::to_string(static_cast<int>(r.counter(name, "pds"))) +
                 " PDs (" + std::to_string(static_cast<int>(r.counter(name, "elements"))) + " elements)",
             format_ns(per_element), format_ns(base) + " at 8 PDs", per_element / base);
    }
  });
}
