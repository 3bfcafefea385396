// Notes that stop growing: a hostile file can trigger one observation millions of times, so
// past a cap they are only counted.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ckptlint {

class BoundedNotes {
 public:
  BoundedNotes(std::size_t cap, std::string topic) : cap_(cap), topic_(std::move(topic)) {}

  /// Whether add() would keep a note: lets callers skip building text that would be dropped.
  bool accepting() const { return notes_.size() < cap_; }
  void skip() { ++dropped_; }

  void add(std::string note) {
    if (notes_.size() < cap_) {
      notes_.push_back(std::move(note));
    } else {
      ++dropped_;
    }
  }

  /// The notes, then "... and N more notes about TOPIC" when some were dropped.
  std::vector<std::string> take() {
    if (dropped_ > 0) notes_.push_back("... and " + std::to_string(dropped_) + " more notes about " + topic_);
    dropped_ = 0;
    return std::move(notes_);
  }

 private:
  std::size_t cap_;
  std::string topic_;
  std::vector<std::string> notes_;
  std::size_t dropped_ = 0;
};

}  // namespace ckptlint
