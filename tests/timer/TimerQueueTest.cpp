// The timer queue against a reference model: order (deadline, then insertion), exact earliest,
// removal from anywhere, the floor, and scale (10^6 timers).
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "executor/TimerQueue.h"

namespace corokit::exec {
namespace {

struct Entry : TimerNode {
  std::uint64_t seq = 0;
};

// The model: (deadline, seq) -> entry.
using Model = std::map<std::pair<std::uint64_t, std::uint64_t>, Entry*>;

// Pops (at most `limit`) expired nodes and checks each against the model.
void check_pop(TimerQueue& queue, Model& model, std::uint64_t now, std::size_t limit = SIZE_MAX) {
  for (std::size_t popped = 0; popped < limit; ++popped) {
    TimerNode* node = queue.pop_expired(now);
    auto first = model.begin();
    bool model_due = first != model.end() && first->first.first <= now;
    ASSERT_EQ(node != nullptr, model_due) << "now " << now;
    if (node == nullptr) return;
    ASSERT_EQ(node, first->second) << "deadline " << node->deadline << " now " << now;
    ASSERT_FALSE(node->queued);
    model.erase(first);
    ASSERT_LE(queue.floor(), node->deadline);
  }
}

TEST(TimerQueue, EmptyQueueExpiresNothing) {
  TimerQueue queue;
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.pop_expired(UINT64_MAX), nullptr);
}

TEST(TimerQueue, ExpiresInDeadlineOrderAndEqualDeadlinesInInsertionOrder) {
  TimerQueue queue;
  std::vector<Entry> entries(8);
  const std::uint64_t deadlines[] = {500, 100, 100, 7'000'000'000, 100, 64, 63, 500};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    entries[i].deadline = deadlines[i];
    queue.insert(entries[i]);
  }
  EXPECT_EQ(queue.earliest(), 63u);
  std::vector<std::size_t> order;
  while (TimerNode* node = queue.pop_expired(UINT64_MAX)) order.push_back(static_cast<Entry*>(node) - entries.data());
  EXPECT_EQ(order, (std::vector<std::size_t>{6, 5, 1, 2, 4, 0, 7, 3}));
  EXPECT_TRUE(queue.empty());
}

TEST(TimerQueue, NothingExpiresBeforeItsDeadline) {
  TimerQueue queue;
  Entry a, b;
  a.deadline = 1'000'000;
  b.deadline = 1'000'001;
  queue.insert(a);
  queue.insert(b);
  EXPECT_EQ(queue.pop_expired(999'999), nullptr);
  EXPECT_LE(queue.floor(), 999'999u);
  EXPECT_EQ(queue.pop_expired(1'000'000), &a);
  EXPECT_EQ(queue.pop_expired(1'000'000), nullptr);
  EXPECT_EQ(queue.earliest(), 1'000'001u);
  EXPECT_EQ(queue.pop_expired(1'000'001), &b);
}

TEST(TimerQueue, EarliestIsExactAfterRemovalsAndCascades) {
  TimerQueue queue;
  std::vector<Entry> entries(5);
  const std::uint64_t deadlines[] = {10'000'123, 10'000'077, 10'000'555, 90'000'000, 10'000'077};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    entries[i].deadline = deadlines[i];
    queue.insert(entries[i]);
  }
  EXPECT_EQ(queue.earliest(), 10'000'077u);
  queue.remove(entries[1]);
  EXPECT_EQ(queue.earliest(), 10'000'077u);  // the other one
  queue.remove(entries[4]);
  EXPECT_EQ(queue.earliest(), 10'000'123u);
  EXPECT_EQ(queue.pop_expired(10'000'200), &entries[0]);
  EXPECT_EQ(queue.earliest(), 10'000'555u);
  queue.remove(entries[2]);
  EXPECT_EQ(queue.earliest(), 90'000'000u);
  EXPECT_EQ(queue.size(), 1u);
  queue.remove(entries[3]);
  EXPECT_TRUE(queue.empty());
  queue.remove(entries[3]);  // removing twice is harmless
  EXPECT_TRUE(queue.empty());
}

// A short list whose whole range has passed is sorted into a batch; inserts that land among the
// batch still come out in order.
TEST(TimerQueue, InsertsAmongASortedBatchKeepTheOrder) {
  TimerQueue queue;
  std::vector<Entry> entries(12);
  const std::uint64_t deadlines[] = {120, 101, 110, 101, 127, 64, 100, 115, 119, 102};  // one level-1 list
  for (std::size_t i = 0; i < 10; ++i) {
    entries[i].deadline = deadlines[i];
    queue.insert(entries[i]);
  }
  ASSERT_EQ(queue.pop_expired(500), &entries[5]);  // 64
  EXPECT_EQ(queue.floor(), 64u);                   // the start of the sorted list
  entries[10].deadline = 101;  // after the two queued 101s
  queue.insert(entries[10]);
  entries[11].deadline = 3;  // raised to the floor (64): first
  queue.insert(entries[11]);
  EXPECT_EQ(queue.earliest(), 64u);
  std::vector<std::size_t> order;
  while (TimerNode* node = queue.pop_expired(500)) order.push_back(static_cast<Entry*>(node) - entries.data());
  EXPECT_EQ(order, (std::vector<std::size_t>{11, 6, 1, 3, 10, 9, 2, 7, 8, 0, 4}));
}

TEST(TimerQueue, DeadlinesBelowTheFloorAreRaisedToIt) {
  TimerQueue queue;
  Entry a, late;
  a.deadline = 5'000;
  queue.insert(a);
  EXPECT_EQ(queue.pop_expired(6'000), &a);
  late.deadline = 10;  // long past
  queue.insert(late);
  EXPECT_EQ(late.deadline, queue.floor());
  EXPECT_EQ(queue.pop_expired(6'000), &late);
}

TEST(TimerQueue, ExtremeDeadlines) {
  TimerQueue queue;
  Entry zero, top, near_top;
  zero.deadline = 0;
  top.deadline = UINT64_MAX;
  near_top.deadline = UINT64_MAX - 1;
  queue.insert(top);
  queue.insert(near_top);
  queue.insert(zero);
  EXPECT_EQ(queue.earliest(), 0u);
  EXPECT_EQ(queue.pop_expired(0), &zero);
  EXPECT_EQ(queue.earliest(), UINT64_MAX - 1);
  EXPECT_EQ(queue.pop_expired(UINT64_MAX - 2), nullptr);
  EXPECT_EQ(queue.pop_expired(UINT64_MAX), &near_top);
  EXPECT_EQ(queue.pop_expired(UINT64_MAX), &top);
}

// Random inserts, removals and time steps, compared step by step with the model.
TEST(TimerQueue, MatchesAReferenceModelUnderRandomOperations) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    TimerQueue queue;
    Model model;
    std::vector<std::unique_ptr<Entry>> pool;
    std::uint64_t now = 1'000'000'000 + rng() % 1'000'000'000;
    std::uint64_t seq = 0;
    const std::uint64_t spans[] = {10, 1'000, 1'000'000, 1'000'000'000, 60'000'000'000};
    for (int step = 0; step < 4000; ++step) {
      const unsigned op = rng() % 10;
      if (op < 5) {
        auto e = std::make_unique<Entry>();
        // Mostly future deadlines, some equal ones, some already past (raised to the floor).
        const std::uint64_t span = spans[rng() % 5];
        e->deadline = rng() % 8 == 0 ? now - (rng() % 100) : now + rng() % span;
        if (rng() % 4 == 0 && !model.empty()) e->deadline = model.begin()->first.first;
        e->seq = seq++;
        queue.insert(*e);
        model.emplace(std::make_pair(e->deadline, e->seq), e.get());
        pool.push_back(std::move(e));
      } else if (op < 7 && !model.empty()) {
        auto victim = model.begin();
        std::advance(victim, static_cast<long>(rng() % model.size()));
        queue.remove(*victim->second);
        model.erase(victim);
      } else {
        // Sometimes stop popping early, so later operations meet a partly consumed batch.
        now += rng() % spans[rng() % 4];
        check_pop(queue, model, now, rng() % 3 == 0 ? rng() % 8 : SIZE_MAX);
      }
      ASSERT_EQ(queue.size(), model.size());
      if (!model.empty()) {
        ASSERT_EQ(queue.earliest(), model.begin()->first.first) << "seed " << seed << " step " << step;
      }
    }
    check_pop(queue, model, UINT64_MAX);
    EXPECT_TRUE(queue.empty());
  }
}

TEST(TimerQueue, AMillionTimers) {
  constexpr std::size_t kCount = 1'000'000;
  std::vector<Entry> entries(kCount);
  std::mt19937_64 rng(42);
  TimerQueue queue;
  for (std::size_t i = 0; i < kCount; ++i) {
    entries[i].deadline = 1'000'000'000 + rng() % 10'000'000'000;
    entries[i].seq = i;
    queue.insert(entries[i]);
  }
  for (std::size_t i = 0; i < kCount; i += 3) queue.remove(entries[i]);
  std::uint64_t last_deadline = 0, last_seq = 0, popped = 0;
  for (std::uint64_t now = 0; !queue.empty(); now += 1'000'000) {
    while (TimerNode* node = queue.pop_expired(now)) {
      auto& e = *static_cast<Entry*>(node);
      ASSERT_LE(e.deadline, now);
      ASSERT_TRUE(e.deadline > last_deadline || (e.deadline == last_deadline && e.seq > last_seq));
      ASSERT_NE(e.seq % 3, 0u);
      last_deadline = e.deadline;
      last_seq = e.seq;
      ++popped;
    }
  }
  EXPECT_EQ(popped, kCount - (kCount + 2) / 3);
}

}  // namespace
}  // namespace corokit::exec
