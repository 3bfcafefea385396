// TorchScript archives as snapshots: class declarations read from code/ sources, and the module
// walk over a data.pkl assembled in memory (parameters, then buffers, then submodules).
#include "linter/formats/torchscript.h"

#include <gtest/gtest.h>

#include <map>

#include "linter/pickle/reader.h"
#include "tests/unit/pickle_builder.h"

namespace ckptlint::formats {
namespace {

using testing::PickleBuilder;

const char* const kBatchNormSource =
    "class BatchNorm2d(Module):\n"
    "  __parameters__ = [\"weight\", \"bias\", ]\n"
    "  __buffers__ = [\"running_mean\", \"running_var\", \"num_batches_tracked\", ]\n"
    "  weight : Tensor\n"
    "  def forward(self: __torch__.BatchNorm2d,\n"
    "    input: Tensor) -> Tensor:\n"
    "    return input\n"
    "class Helper:\n"
    "  x : int\n";

TEST(TorchScript, ParsesParameterAndBufferDeclarations) {
  std::optional<ScriptClass> parsed = parseScriptClass(kBatchNormSource, "BatchNorm2d");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed->is_module);
  EXPECT_EQ(parsed->parameters, (std::vector<std::string>{"weight", "bias"}));
  EXPECT_EQ(parsed->buffers, (std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"}));
  std::optional<ScriptClass> helper = parseScriptClass(kBatchNormSource, "Helper");
  ASSERT_TRUE(helper.has_value());
  EXPECT_FALSE(helper->is_module);
  EXPECT_FALSE(parseScriptClass(kBatchNormSource, "BatchNorm").has_value());  // a prefix is not the class
}

// _rebuild_tensor_v2 of a 2-element float tensor on storage `key`.
void tensor(PickleBuilder& b, const std::string& key) {
  b.global("torch._utils", "_rebuild_tensor_v2").mark();
  b.mark().unicode("storage").global("torch", "FloatStorage").unicode(key).unicode("cpu").binint(2).tuple();
  b.binpersid().binint(0).mark().binint(2).tuple().mark().binint(1).tuple().newTrue();
  b.global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
}

// Root(Module) {buf: tensor, child: Child{w: tensor}, p: tensor, plain: tensor}, with the
// parameter declared after the buffer in attribute order.
std::string modulePickle() {
  PickleBuilder b;
  b.global("__torch__", "Root").emptyTuple().op('\x81').emptyDict().mark();
  b.unicode("buf");
  tensor(b, "0");
  b.unicode("child").global("__torch__.lib", "Child").emptyTuple().op('\x81').emptyDict().unicode("w");
  tensor(b, "1");
  b.setitem().build();
  b.unicode("p");
  tensor(b, "2");
  b.unicode("plain");
  tensor(b, "3");
  b.setitems().build().stop();
  return b.bytes();
}

TEST(TorchScript, ListsParametersThenBuffersThenSubmodulesLikeStateDict) {
  const std::map<std::string, std::string> sources = {
      {"code/__torch__.py", "class Root(Module):\n  __parameters__ = [\"p\", ]\n  __buffers__ = [\"buf\", ]\n"},
      {"code/__torch__/lib.py", "class Child(Module):\n  __parameters__ = [\"w\", ]\n  __buffers__ = []\n"}};
  ArchiveTextReader read = [&](const std::string& name) -> Result<std::optional<std::string>> {
    auto found = sources.find(name);
    if (found == sources.end()) return std::optional<std::string>();
    return std::optional<std::string>(found->second);
  };
  const std::string bytes = modulePickle();
  Result<pickle::Pickle> parsed = pickle::readPickle(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  Result<ObjectContents> contents = readScriptModules(*parsed->root(), read);
  ASSERT_TRUE(contents.ok()) << contents.error().message;
  std::vector<std::string> keys;
  for (const TensorInfo& info : contents->tensors) keys.push_back(std::get<std::string>(info.path.back()));
  EXPECT_EQ(keys, (std::vector<std::string>{"p", "buf", "child.w", "plain"}));
  ASSERT_EQ(contents->state_dicts.size(), 1u);
  EXPECT_EQ(contents->state_dicts[0].tensors, (std::vector<std::size_t>{0, 1, 2}));  // not "plain"
  EXPECT_TRUE(contents->tensors[0].is_parameter);
  EXPECT_FALSE(contents->tensors[1].is_parameter);
  EXPECT_EQ(contents->tensors[1].storage_key, "0");

  const std::map<std::string, std::string> without_child = {sources.begin(), std::next(sources.begin())};
  ArchiveTextReader missing = [&](const std::string& name) -> Result<std::optional<std::string>> {
    auto found = without_child.find(name);
    if (found == without_child.end()) return std::optional<std::string>();
    return std::optional<std::string>(found->second);
  };
  Result<ObjectContents> failed = readScriptModules(*parsed->root(), missing);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("code/__torch__/lib.py"), std::string::npos) << failed.error().message;
}

}  // namespace
}  // namespace ckptlint::formats
