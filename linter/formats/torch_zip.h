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

struct TorchZipOptions {
  /// Also check the CRC-32 of tensor storage records (reads every byte of the file).
  bool check_crc = false;
};

/// Reads the directory and data.pkl of a torch.save zip (or of a TorchScript archive, format
/// "torchscript": its module tree, see torchscript.h), and scans the archive's other pickles;
/// tensor bytes are not touched unless options.check_crc.
/// `file` must stay mapped while the result is used; local headers are read through
/// `header_reader` when given (see io::HeaderReader).
Result<TorchZipContents> readTorchZip(std::string_view file, const std::string& path,
                                      const io::HeaderReader& header_reader = {},
                                      const TorchZipOptions& options = {});

}  // namespace ckptlint::formats
