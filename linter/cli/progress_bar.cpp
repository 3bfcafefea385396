#include "linter/cli/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace ckptlint::cli {

namespace {

std::string gigabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", static_cast<double>(bytes) / 1e9);
  return text;
}

}  // namespace

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)), start_(std::chrono::steady_clock::now()) {
  enabled_ = isatty(STDERR_FILENO) == 1;
  if (const char* delay = std::getenv("CKPTLINT_PROGRESS_DELAY_MS"); delay != nullptr && *delay != '\0') {
    delay_ = std::chrono::milliseconds(std::strtol(delay, nullptr, 10));
  }
}

void ProgressBar::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (shown_) std::fputs("\r\033[K", stderr);
  shown_ = false;
  enabled_ = false;
}

void ProgressBar::add(uint64_t more_total, uint64_t more_done) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!enabled_) return;
  total_ += more_total;
  done_ += more_done;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < delay_ || (shown_ && now - last_draw_ < std::chrono::milliseconds(100))) return;
  last_draw_ = now;
  draw();
}

void ProgressBar::draw() {
  constexpr int kWidth = 30;
  const double fraction = total_ == 0 ? 0.0 : std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
  const int filled = static_cast<int>(fraction * kWidth);
  const std::string bar = std::string(static_cast<std::size_t>(filled), '#') + std::string(static_cast<std::size_t>(kWidth - filled), '.');
  std::fprintf(stderr, "\r\033[K%s [%s] %3d%% (%s of %s GB)", label_.c_str(), bar.c_str(),
               static_cast<int>(fraction * 100), gigabytes(std::min(done_, total_)).c_str(), gigabytes(total_).c_str());
  std::fflush(stderr);
  shown_ = true;
}

}  // namespace ckptlint::cli
