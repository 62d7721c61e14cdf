#include "common/uuid.h"

#include <gtest/gtest.h>

#include <set>

namespace benchtop {
namespace {

TEST(Uuid, IsVersion4InCanonicalForm) {
  const std::string id = uuid_v4();
  ASSERT_EQ(id.size(), 36u);
  EXPECT_TRUE(is_uuid(id)) << id;
  EXPECT_EQ(id[14], '4');                                                // version
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // variant
}

TEST(Uuid, DoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(uuid_v4()).second);
}

TEST(Uuid, RecognisesOnlyTheCanonicalForm) {
  EXPECT_TRUE(is_uuid("0b6f3a52-9d1e-4c7a-8f0e-5e2b1c9d7a44"));
  EXPECT_FALSE(is_uuid("0B6F3A52-9D1E-4C7A-8F0E-5E2B1C9D7A44"));  // uppercase
  EXPECT_FALSE(is_uuid("0b6f3a529d1e4c7a8f0e5e2b1c9d7a44"));      // no dashes
  EXPECT_FALSE(is_uuid("0b6f3a52-9d1e-4c7a-8f0e-5e2b1c9d7a4g"));  // not hex
  EXPECT_FALSE(is_uuid("my-project"));
  EXPECT_FALSE(is_uuid(""));
}

}  // namespace
}  // namespace benchtop
