#include "system/sdf/Number.h"

#include <gtest/gtest.h>

namespace corokit::sdf {
namespace {

TEST(Number, DecimalAndHex) {
  EXPECT_EQ(parse_number("42").value, 42u);
  EXPECT_EQ(parse_number("0x2a").value, 42u);
  EXPECT_EQ(parse_number("0x2A").value, 42u);
  EXPECT_EQ(parse_number("+7").value, 7u);
}

TEST(Number, UnderscoresAreRemovedAnywhere) {
  EXPECT_EQ(parse_number("0x200_000").value, 0x200000u);
  EXPECT_EQ(parse_number("1_000").value, 1000u);
  EXPECT_EQ(parse_number("0_x10").value, 16u);
}

TEST(Number, RejectsWhatMicrokitRejects) {
  EXPECT_EQ(parse_number("").why(), "cannot parse integer from empty string");
  EXPECT_EQ(parse_number("0x").why(), "cannot parse integer from empty string");
  EXPECT_EQ(parse_number("-1").why(), "invalid digit found in string");
  EXPECT_EQ(parse_number("0X10").why(), "invalid digit found in string");
  EXPECT_EQ(parse_number(" 1").why(), "invalid digit found in string");
  EXPECT_EQ(parse_number("+").why(), "invalid digit found in string");
  EXPECT_EQ(parse_number("18446744073709551616").why(), "number too large to fit in target type");
  EXPECT_EQ(parse_number("18446744073709551615").value, UINT64_MAX);
  EXPECT_EQ(parse_number("0x1_0000_0000_0000_0000").why(), "number too large to fit in target type");
}

TEST(Number, DecimalOnly) {
  EXPECT_EQ(parse_decimal("12", true).value, 12u);
  NumberParse neg = parse_decimal("-3", true);
  EXPECT_TRUE(neg.ok());
  EXPECT_TRUE(neg.negative);
  EXPECT_EQ(neg.value, 3u);
  EXPECT_FALSE(parse_decimal("-3", false).ok());
  EXPECT_FALSE(parse_decimal("0x10", true).ok());
  EXPECT_FALSE(parse_decimal("1_0", true).ok());
  EXPECT_EQ(parse_decimal("9223372036854775808", true).why(), "number too large to fit in target type");
}

}  // namespace
}  // namespace corokit::sdf
