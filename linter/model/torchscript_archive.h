// Telling a TorchScript archive (torch.jit.save) from a torch.save zip by its records.
#pragma once

#include "linter/io/mapped_file.h"

namespace ckptlint::model {

/// Whether the file is a zip with the records torch.jit.save writes and torch.save does not:
/// <root>/constants.pkl and <root>/code/... (torch-format.md §7.1; checked on 1.13 for both
/// scripted and traced modules). False for anything that is not a readable zip.
bool isTorchScriptArchive(const io::MappedFile& file);

}  // namespace ckptlint::model
