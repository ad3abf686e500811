#include "system/board/HostBoard.h"

#include <array>

namespace corokit::board {
namespace {

constexpr std::array<Device, 14> kDevices = [] {
  std::array<Device, 14> d{};
  d[0] = {DeviceKind::Console, 0, 33, 0x0900'0000};
  d[1] = {DeviceKind::Timer, 0, 34, 0x0901'0000};
  for (uint32_t n = 0; n < 8; ++n) d[2 + n] = {DeviceKind::Block, n, 48 + n, 0x0a00'0000 + n * 0x1000ull};
  for (uint32_t n = 0; n < 4; ++n) d[10 + n] = {DeviceKind::Nic, n, 64 + n, 0x0b00'0000 + n * 0x1000ull};
  return d;
}();

}  // namespace

const char* to_string(DeviceKind k) {
  switch (k) {
    case DeviceKind::Console: return "console";
    case DeviceKind::Timer: return "timer";
    case DeviceKind::Block: return "block";
    case DeviceKind::Nic: return "nic";
  }
  return "device";
}

std::string Device::name() const {
  std::string n = to_string(kind);
  if (kind == DeviceKind::Block || kind == DeviceKind::Nic) n += std::to_string(index);
  return n;
}

std::span<const Device> devices() { return kDevices; }

std::optional<Device> device_by_irq(uint64_t irq) {
  for (const Device& d : kDevices) {
    if (d.irq == irq) return d;
  }
  return std::nullopt;
}

std::optional<Device> device_by_window(uint64_t addr, uint64_t size) {
  for (const Device& d : kDevices) {
    uint64_t end = addr + size;  // callers pass ranges already checked for overflow
    if (addr < d.window + kDeviceWindowSize && d.window < end) return d;
  }
  return std::nullopt;
}

}  // namespace corokit::board
