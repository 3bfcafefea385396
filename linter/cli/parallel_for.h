// Runs independent work items on a few threads. Each item writes only its own result slot,
// so the results come out in item order whatever the number of threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace ckptlint::cli {

/// Calls work(i) for every i in [0, count) on at most `jobs` threads (the calling thread is
/// one of them; jobs <= 1 runs in order on it). The first exception is rethrown after all
/// threads have stopped; items not started by then are skipped.
template <typename Work>
void parallelFor(std::size_t count, unsigned jobs, Work&& work) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  auto drain = [&] {
    for (std::size_t i = next++; i < count && !failed; i = next++) {
      try {
        work(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
        failed = true;
      }
    }
  };
  const std::size_t threads = std::min<std::size_t>(std::max(jobs, 1u), count);
  std::vector<std::thread> helpers;
  helpers.reserve(threads > 0 ? threads - 1 : 0);
  for (std::size_t t = 1; t < threads; ++t) {
    // -j 100000, or a process or memory limit: the system may refuse a thread. The threads
    // started so far do the work; a throw here would abandon joinable threads (terminate).
    try {
      helpers.emplace_back(drain);
    } catch (const std::system_error&) {
      break;
    }
  }
  drain();
  for (std::thread& helper : helpers) helper.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace ckptlint::cli
