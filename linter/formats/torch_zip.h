// The torch.save zip format (PyTorch >= 1.6): <root>/data.pkl + <root>/data/<key> records.
#pragma once

#include <string>
#include <string_view>

#include "linter/core/checkpoint.h"
#include "linter/core/result.h"
#include "linter/io/zip_reader.h"
#include "linter/pickle/reader.h"

namespace ckptlint::formats {

struct TorchZipContents {
  io::ZipArchive zip;
  pickle::Pickle data_pickle;
  Checkpoint checkpoint;
};

/// Reads the directory and data.pkl of a torch.save zip; tensor bytes are never touched.
/// `file` must stay mapped while the result is used; local headers are read through
/// `header_reader` when given (see io::HeaderReader).
Result<TorchZipContents> readTorchZip(std::string_view file, const std::string& path,
                                      const io::HeaderReader& header_reader = {});

}  // namespace ckptlint::formats
