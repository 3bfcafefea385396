// CKL204: storages saved on an accelerator. torch.load restores each storage to the device
// it was saved on, so on a host without that device it fails unless map_location is given.
#include <map>

#include "rules/all_rules.h"
#include "rules/key_summary.h"
#include "rules/rule_helpers.h"

namespace ckptlint::rules {

namespace {

bool isHostLocation(const std::string& device) { return device.empty() || device == "cpu" || device == "meta"; }

void check(const CheckContext& context, FindingSink& sink) {
  std::map<std::string, std::vector<std::string>> tensors_by_device;
  for (const TensorInfo& tensor : context.checkpoint.tensors) {
    if (!isHostLocation(tensor.device)) tensors_by_device[tensor.device].push_back(displayPath(tensor.path));
  }
  for (auto& [device, paths] : tensors_by_device) {
    Finding& finding = sink.addForFile(countText(paths.size(), "tensor was", "tensors were") + " saved on '" + device +
                                "'; torch.load restores them there and fails on a host without that device " +
                                "unless given map_location (e.g. map_location=\"cpu\"): " + summarizeKeys(paths));
    coverKeys(finding, std::move(paths));
  }
}

}  // namespace

Rule deviceLocationRule() {
  return defineRule("CKL204", "device-location", Level::kWarning,
                    "storages saved on an accelerator (cuda:1); torch.load needs map_location on other hosts",
                    check);
}

}  // namespace ckptlint::rules
