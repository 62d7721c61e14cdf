#include "server/workspace/browse/file_chunks.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/unique_fd.h"
#include "tests/support/temp_dir.h"

namespace benchtop {
namespace {

using benchtop::testing::TempDir;

class FileChunksTest : public ::testing::Test {
 protected:
  FileChunks open_file(const std::string& content) {
    const auto path = dir_ / "file.txt";
    benchtop::testing::write_file(path, content);
    fd_ = UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    EXPECT_TRUE(fd_);
    return FileChunks(fd_.get(), content.size(), "file.txt");
  }
  // Everything one pass hands out, and how many chunks it took.
  static std::pair<std::string, int> read_pass(FileChunks& file) {
    std::string all;
    int chunks = 0;
    for (;;) {
      auto chunk = file.next();
      EXPECT_TRUE(chunk);
      if (!chunk || chunk->empty()) return {all, chunks};
      all.append(*chunk);
      ++chunks;
    }
  }
  TempDir dir_;
  UniqueFd fd_;
};

TEST_F(FileChunksTest, SmallFileIsOneChunkReplayedByLaterPasses) {
  FileChunks file = open_file("one\ntwo\n");
  EXPECT_EQ(read_pass(file), std::make_pair(std::string("one\ntwo\n"), 1));
  // A later pass replays the buffer instead of reading again: changing the file underneath
  // does not show.
  UniqueFd writer(::open((dir_ / "file.txt").c_str(), O_WRONLY | O_CLOEXEC));
  ASSERT_EQ(::ftruncate(writer.get(), 0), 0);
  file.rewind();
  EXPECT_EQ(read_pass(file), std::make_pair(std::string("one\ntwo\n"), 1));
  EXPECT_EQ(file.offset(), 8u);
}

TEST_F(FileChunksTest, LargerFilesComeInChunksAndAreReadAgainAfterRewind) {
  for (size_t size :
       {FileChunks::kChunkBytes, FileChunks::kChunkBytes + 10, 3 * FileChunks::kChunkBytes - 1}) {
    std::string content(size, 'x');
    for (size_t i = 0; i < size; i += 97) content[i] = static_cast<char>('a' + i % 26);
    FileChunks file = open_file(content);
    const auto expected_chunks =
        static_cast<int>((size + FileChunks::kChunkBytes - 1) / FileChunks::kChunkBytes);
    EXPECT_EQ(read_pass(file), std::make_pair(content, expected_chunks)) << size;
    file.rewind();
    EXPECT_EQ(read_pass(file).first, content) << size;
  }
}

TEST_F(FileChunksTest, EmptyFileHasNoChunks) {
  FileChunks file = open_file("");
  EXPECT_EQ(read_pass(file), std::make_pair(std::string(), 0));
  file.rewind();
  EXPECT_EQ(read_pass(file), std::make_pair(std::string(), 0));
}

TEST_F(FileChunksTest, ReadErrorsNameTheFile) {
  FileChunks file(/*fd=*/-1, 10, "gone.txt");
  auto chunk = file.next();
  ASSERT_FALSE(chunk);
  EXPECT_NE(chunk.error().message.find("gone.txt"), std::string::npos) << chunk.error().message;
}

}  // namespace
}  // namespace benchtop
