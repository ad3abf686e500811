// The host board's fixed device map and address-space facts (HOST_BOARD.md is the authority).
// Shared by the checker, the packer and the runtime so the numbers live in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace corokit::board {

inline constexpr uint64_t kUserTop = 0x6fff'ffff'ffff;  // inclusive
inline constexpr uint64_t kLowestMap = 0x10000;         // Linux vm.mmap_min_addr
inline constexpr uint64_t kRamBase = 0x4000'0000;
inline constexpr uint64_t kRamEnd = 0xc000'0000;         // exclusive
inline constexpr uint64_t kDeviceWindowSize = 0x1000;

enum class DeviceKind : uint8_t { Console, Timer, Block, Nic };
const char* to_string(DeviceKind k);

struct Device {
  DeviceKind kind;
  uint32_t index;      // block 0..7, NIC 0..3, else 0
  uint64_t irq;        // the <irq irq=...> number
  uint64_t window;     // pseudo-physical address of its 4 KiB register window
  std::string name() const;  // "console", "timer", "block0", "nic2"
};

// Every device of the board, in IRQ order.
std::span<const Device> devices();

std::optional<Device> device_by_irq(uint64_t irq);
// The device whose register window intersects [addr, addr + size).
std::optional<Device> device_by_window(uint64_t addr, uint64_t size);

}  // namespace corokit::board
