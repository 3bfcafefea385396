// From an EditPlan to the pickle edits that carry it out: which dict entries of the traced
// data.pkl are the state dict's keys (and its `_metadata` module prefixes), and what happens to
// each. The bytes are then re-emitted by pickle::rewritePickle.
#pragma once

#include <string>
#include <vector>

#include "linter/core/result.h"
#include "linter/fix/edit_plan.h"
#include "linter/pickle/reader.h"
#include "linter/pickle/rewriter.h"

namespace ckptlint::fix {

struct StateDictPickleEdits {
  std::vector<pickle::PairEdit> edits;
  std::vector<std::string> notes;  // what happened to `_metadata`
};

/// `pickle` and `trace` from one readPickle of data.pkl. Errors: the plan's state dict is not
/// a mapping in the pickle, an edit names a key it lacks or a key that is not a string, or the
/// result would hold a key twice.
Result<StateDictPickleEdits> planPickleEdits(const pickle::Pickle& pickle, const pickle::PickleTrace& trace,
                                             const EditPlan& plan);

}  // namespace ckptlint::fix
