#include "server/checkpoints/blob_store.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace benchtop {
namespace {

using testing::TempDir;

TEST(BlobStoreTest, KeepsContentOnceUnderItsSha256) {
  TempDir dir;
  BlobStore store(dir / "blobs");
  auto name = store.put("hello\n");
  ASSERT_TRUE(name.ok()) << name.error().message;
  // sha256("hello\n"), as `sha256sum` prints it.
  EXPECT_EQ(*name, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
  EXPECT_TRUE(store.contains(*name));
  EXPECT_EQ(*store.get(*name), "hello\n");
  ASSERT_TRUE(store.put("hello\n").ok());
  EXPECT_EQ(store.total_bytes(), 6u);

  const std::string binary("\0\xff\x01zero", 7);
  auto other = store.put(binary);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*store.get(*other), binary);
  EXPECT_EQ(store.total_bytes(), 13u);
}

TEST(BlobStoreTest, RefusesNamesThatAreNotHashes) {
  TempDir dir;
  testing::write_file(dir / "secret", "s");
  BlobStore store(dir / "blobs");
  for (const char* name : {"../secret", "", "5891b5b522d5df086d0ff0b110fbd9d2",
                           "../../../../../../../../../../../../../../../../../../etc/passwd"}) {
    EXPECT_FALSE(store.contains(name)) << name;
    auto got = store.get(name);
    ASSERT_FALSE(got.ok()) << name;
    EXPECT_EQ(got.error().code, "not_found");
  }
}

TEST(BlobStoreTest, CollectionKeepsWhatIsNamedAndWhatIsYoung) {
  TempDir dir;
  BlobStore store(dir / "blobs");
  const std::string keep = *store.put("keep");
  const std::string drop = *store.put("drop");
  EXPECT_EQ(store.remove_all_but({keep}), 0u);  // both were just written: within the grace period
  EXPECT_TRUE(store.contains(drop));
  EXPECT_EQ(store.remove_all_but({keep}, std::chrono::seconds(0)), 4u);
  EXPECT_TRUE(store.contains(keep));
  EXPECT_FALSE(store.contains(drop));
}

}  // namespace
}  // namespace benchtop
