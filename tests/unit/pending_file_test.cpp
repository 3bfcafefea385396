// PendingFile: the target changes only on commit; failures leave no temporary or backup.
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "linter/io/atomic_write.h"
#include "linter/io/write_all.h"

namespace ckptlint::io {
namespace {

class PendingFileTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/ckptlint-pending-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    for (const std::string& name : entries()) unlink((dir_ + "/" + name).c_str());
    rmdir(dir_.c_str());
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    DIR* dir = opendir(dir_.c_str());
    while (dirent* entry = readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
  }
  static std::string read(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static void write(const std::string& file, const std::string& text) { std::ofstream(file, std::ios::binary) << text; }
  std::unique_ptr<PendingFile> pending(const std::string& name, std::optional<mode_t> mode, const std::string& text) {
    Result<std::unique_ptr<PendingFile>> file = PendingFile::create(path(name), mode);
    EXPECT_TRUE(file.ok());
    if (!file) return nullptr;
    EXPECT_FALSE(writeAll((*file)->fd(), text).has_value());
    return std::move(*file);
  }
  std::string dir_;
};

TEST_F(PendingFileTest, ReplacesInPlaceKeepingABackupAndTheMode) {
  write(path("a.pt"), "old");
  chmod(path("a.pt").c_str(), 0640);
  auto file = pending("a.pt", 0640, "new");
  EXPECT_EQ(read(path("a.pt")), "old");  // nothing visible before the commit
  EXPECT_EQ(entries().size(), 2u);
  ASSERT_FALSE(file->commit({true, path("a.pt.bak")}).has_value());
  EXPECT_EQ(read(path("a.pt")), "new");
  EXPECT_EQ(read(path("a.pt.bak")), "old");
  struct stat info {};
  ASSERT_EQ(stat(path("a.pt").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0640u);
  file.reset();
  EXPECT_EQ(entries(), (std::vector<std::string>{"a.pt", "a.pt.bak"}));
}

TEST_F(PendingFileTest, AnExistingBackupIsNeverOverwritten) {
  write(path("a.pt"), "old");
  write(path("a.pt.bak"), "older");
  auto file = pending("a.pt", std::nullopt, "new");
  std::optional<Error> error = file->commit({true, path("a.pt.bak")});
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("already exists"), std::string::npos);
  file.reset();
  EXPECT_EQ(read(path("a.pt")), "old");
  EXPECT_EQ(read(path("a.pt.bak")), "older");
  EXPECT_EQ(entries(), (std::vector<std::string>{"a.pt", "a.pt.bak"}));
}

TEST_F(PendingFileTest, WithoutReplaceAnExistingTargetStays) {
  write(path("out.pt"), "keep");
  auto file = pending("out.pt", std::nullopt, "new");
  std::optional<Error> error = file->commit({false, ""});
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, "already exists");
  file.reset();
  EXPECT_EQ(read(path("out.pt")), "keep");
  EXPECT_EQ(entries(), (std::vector<std::string>{"out.pt"}));
  auto fresh = pending("new.pt", std::nullopt, "made");
  ASSERT_FALSE(fresh->commit({false, ""}).has_value());
  EXPECT_EQ(read(path("new.pt")), "made");
}

TEST_F(PendingFileTest, DroppedWithoutCommitLeavesNothing) {
  write(path("a.pt"), "old");
  pending("a.pt", std::nullopt, "half");
  EXPECT_EQ(entries(), (std::vector<std::string>{"a.pt"}));
  EXPECT_EQ(read(path("a.pt")), "old");
}

TEST_F(PendingFileTest, AFolderThatIsAFileIsAnError) {
  write(path("plain"), "x");
  Result<std::unique_ptr<PendingFile>> file = PendingFile::create(path("plain/out.pt"), std::nullopt);
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message.find("temporary"), std::string::npos);
}

TEST_F(PendingFileTest, InterruptedWhileWritingLeavesNothing) {
  write(path("a.pt"), "old");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // Ctrl-C in the middle of writing
    Result<std::unique_ptr<PendingFile>> file = PendingFile::create(path("a.pt"), std::nullopt);
    if (!file || writeAll((*file)->fd(), "half").has_value()) _exit(3);
    std::raise(SIGINT);
    _exit(4);  // not reached: the handler removes the temporary and dies of the signal
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGINT);
  EXPECT_EQ(entries(), (std::vector<std::string>{"a.pt"}));
  EXPECT_EQ(read(path("a.pt")), "old");
}

}  // namespace
}  // namespace ckptlint::io
