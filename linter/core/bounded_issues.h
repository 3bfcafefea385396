// Read issues that stop growing: a hostile file can trigger one observation millions of times,
// so past a cap they are only counted, per kind, and summed up in one issue of that kind (so
// that rules still see every kind that occurred).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "linter/core/read_issue.h"

namespace ckptlint {

class BoundedIssues {
 public:
  BoundedIssues(std::size_t cap, std::string topic) : cap_(cap), topic_(std::move(topic)) {}

  /// Whether add() would keep an issue: lets callers skip building text that would be dropped.
  bool accepting() const { return issues_.size() < cap_; }
  void skip(ReadIssue::Kind kind) { ++dropped_[kind]; }

  void add(ReadIssue issue) {
    if (accepting()) {
      issues_.push_back(std::move(issue));
    } else {
      skip(issue.kind);
    }
  }
  void add(ReadIssue::Kind kind, std::string record, uint64_t offset, std::string message) {
    add(ReadIssue{kind, std::move(record), offset, std::move(message), {}});
  }
  void add(ReadIssue::Kind kind, std::string message) { add(kind, {}, 0, std::move(message)); }

  /// The issues, then "... and N more notes about TOPIC" for each kind that was dropped.
  std::vector<ReadIssue> take() {
    for (const auto& [kind, count] : dropped_) {
      issues_.push_back({kind, {}, 0, "... and " + std::to_string(count) + " more notes about " + topic_, {}});
    }
    dropped_.clear();
    return std::move(issues_);
  }

 private:
  std::size_t cap_;
  std::string topic_;
  std::vector<ReadIssue> issues_;
  std::map<ReadIssue::Kind, std::size_t> dropped_;
};

}  // namespace ckptlint
