// A progress line on stderr for long byte-reading work (--check-values): shown only when
// stderr is a terminal and the work has already taken a while, so short runs, pipes and CI
// logs stay silent; never on stdout, where reports go. Safe to feed from several threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace ckptlint::cli {

class ProgressBar {
 public:
  /// `label` starts the line ("checking values"). CKPTLINT_PROGRESS_DELAY_MS overrides the
  /// delay before the line appears (tests use 0).
  explicit ProgressBar(std::string label);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar() { finish(); }

  void add(uint64_t more_total, uint64_t more_done);
  /// Clears the line if it was shown; nothing is drawn afterwards.
  void finish();

 private:
  void draw();  // with mutex_ held

  std::string label_;
  bool enabled_ = false;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::chrono::milliseconds delay_{1000};
  uint64_t total_ = 0;
  uint64_t done_ = 0;
  std::mutex mutex_;
};

}  // namespace ckptlint::cli
