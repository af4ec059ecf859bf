// SqlValue's conversions: never throw, whatever a driver hands back.
#include <gtest/gtest.h>

#include <limits>

#include "service/store/sql.h"

namespace vigil::service {
namespace {

struct Case {
  SqlValue cell;
  int64_t as_int;
  double as_real;
};

TEST(SqlValueTest, ConversionsNeverThrow) {
  const Case kCases[] = {
      {SqlValue::Null(), 0, 0},
      {SqlValue::Int(42), 42, 42},
      {SqlValue::Real(2.75), 2, 2.75},
      {SqlValue::Real(-2.75), -2, -2.75},
      {SqlValue::Real(1e19), 0, 1e19},    // beyond int64: was undefined
      {SqlValue::Real(-1e19), 0, -1e19},  // beyond int64: was undefined
      {SqlValue::Real(std::numeric_limits<double>::infinity()), 0,
       std::numeric_limits<double>::infinity()},
      {SqlValue::Text("17"), 17, 17},
      {SqlValue::Text("-3"), -3, -3},
      {SqlValue::Text("0.5"), 0, 0.5},  // not an integer
      {SqlValue::Text("1.5e3"), 0, 1500},
      {SqlValue::Text(""), 0, 0},
      {SqlValue::Text("abc"), 0, 0},  // std::stoll threw here
      {SqlValue::Text("99999999999999999999"), 0, 1e20},  // out of range
      {SqlValue::Bytes("12"), 0, 0},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.cell.AsString());
    EXPECT_EQ(c.cell.AsInt(), c.as_int);
    EXPECT_DOUBLE_EQ(c.cell.AsReal(), c.as_real);
  }
  EXPECT_EQ(SqlValue::Text("9223372036854775807").AsInt(),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(SqlValue::Real(-9223372036854775808.0).AsInt(),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(SqlValue::Real(std::numeric_limits<double>::quiet_NaN()).AsInt(),
            0);
}

}  // namespace
}  // namespace vigil::service
