// The lines of a small text configuration (blk_virt.conf, a block driver's options): words
// separated by spaces, tabs or CRs, `#` starts a comment to the end of the line, the text ends at
// its size or at its first NUL. Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>

namespace corokit::block {

// Whether `token` (`length` bytes, not terminated) is exactly `word`.
inline bool word_is(const char* token, std::size_t length, const char* word) {
  std::size_t i = 0;
  for (; i < length; ++i) {
    if (word[i] == '\0' || word[i] != token[i]) return false;
  }
  return word[i] == '\0';
}

// The words of one line; at most `MaxWords` (`too_many` when the line has more).
template <unsigned MaxWords>
struct ConfigLine {
  uint32_t number = 0;  // 1-based
  const char* words[MaxWords];
  std::size_t lengths[MaxWords];
  unsigned count = 0;
  bool too_many = false;

  bool is(unsigned i, const char* word) const { return word_is(words[i], lengths[i], word); }
};

class ConfigLines {
 public:
  ConfigLines(const char* text, std::size_t size) : text_(text), size_(size) {}

  // The next line, blank and comment-only lines included (count 0); false at the end.
  template <unsigned MaxWords>
  bool next(ConfigLine<MaxWords>& line) {
    if (pos_ >= size_ || text_[pos_] == '\0') return false;
    line = ConfigLine<MaxWords>{};
    line.number = ++number_;
    std::size_t end = pos_;
    while (end < size_ && text_[end] != '\0' && text_[end] != '\n') ++end;
    for (std::size_t i = pos_; i < end && text_[i] != '#';) {
      if (is_space(text_[i])) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < end && !is_space(text_[j]) && text_[j] != '#') ++j;
      if (line.count == MaxWords) {
        line.too_many = true;
        break;
      }
      line.words[line.count] = text_ + i;
      line.lengths[line.count++] = j - i;
      i = j;
    }
    pos_ = end < size_ && text_[end] == '\n' ? end + 1 : end;
    return true;
  }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

  const char* text_;
  std::size_t size_;
  std::size_t pos_ = 0;
  uint32_t number_ = 0;
};

}  // namespace corokit::block
