#!/usr/bin/env bash
# Runs each libFuzzer harness for SECONDS, seeded from the test fixtures.
#   ci/fuzz.sh SECONDS [HARNESS...]      (HARNESS: zip_reader, pickle_reader, torch_zip, safetensors,
#                                         torch_legacy (seeded from the same checkpoints as torch_zip);
#                                         default all)
# Builds the fuzzing configuration (clang, ASan, UBSan) in $CKPTLINT_FUZZ_BUILD (default
# build-fuzz) when the harnesses are not there yet. Seeds: the fixture checkpoints in
# $CKPTLINT_FIXTURES (default build/fixtures, generated if missing) and the pickles inside them.
# New inputs accumulate in $CKPTLINT_FUZZ_BUILD/fuzz-corpus/HARNESS; crashes are written to
# $CKPTLINT_FUZZ_BUILD/fuzz-crashes and fail the script.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: ci/fuzz.sh SECONDS [HARNESS...]}
shift
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(zip_reader pickle_reader torch_zip safetensors torch_legacy)
build=${CKPTLINT_FUZZ_BUILD:-build-fuzz}
fixtures=${CKPTLINT_FIXTURES:-build/fixtures}
python=/usr/bin/python3

missing_harness=
for harness in "${harnesses[@]}"; do [ -x "$build/fuzz/${harness}_fuzz" ] || missing_harness=1; done
if [ -n "$missing_harness" ] || [ -n "${CKPTLINT_FUZZ_REBUILD:-}" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCKPTLINT_FUZZ=ON -DCKPTLINT_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j "${CKPTLINT_JOBS:-2}" --target zip_reader_fuzz pickle_reader_fuzz torch_zip_fuzz safetensors_fuzz \
        torch_legacy_fuzz
fi
if [ ! -f "$fixtures/truth.json" ]; then
  fixtures="$build/fixtures"
  [ -f "$fixtures/truth.json" ] || "$python" tests/fixtures/make_fixtures.py "$fixtures" >/dev/null
fi

# Seeds: checkpoints under 1 MiB for the zip harnesses, every pickle record of them for the
# pickle harness, small safetensors files (one per dtype) for the safetensors harness.
seeds="$build/fuzz-seeds"
rm -rf "$seeds" && mkdir -p "$seeds/zip" "$seeds/pickle" "$seeds/safetensors"
"$python" - "$fixtures" "$seeds" tests/fixtures <<'PY'
import os, sys, zipfile
fixtures, seeds = sys.argv[1], sys.argv[2]
sys.path.insert(0, sys.argv[3])
import safetensors_io  # a few small safetensors files: every dtype, metadata, empty tensors
for i, dtype in enumerate(safetensors_io.DTYPE_BITS):
    bits = safetensors_io.DTYPE_BITS[dtype]
    tensors = {"w": (dtype, [2, 4], bytes(bits)), "e": ("F32", [0, 3], b""), "s": ("I64", [], bytes(8))}
    header, data = safetensors_io.layout(tensors, {"format": "pt"} if i % 2 else None)
    with open(os.path.join(seeds, "safetensors", f"seed_{dtype}.safetensors"), "wb") as f:
        f.write(safetensors_io.file_bytes(header, data))
for name in sorted(os.listdir(fixtures)):
    path = os.path.join(fixtures, name)
    if not os.path.isfile(path) or os.path.getsize(path) > (1 << 20):
        continue
    with open(path, "rb") as f:
        data = f.read()
    with open(os.path.join(seeds, "zip", name), "wb") as f:
        f.write(data)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for i, member in enumerate(z.namelist()):
                if member.endswith(".pkl"):
                    with open(os.path.join(seeds, "pickle", f"{name}.{i}.pkl"), "wb") as f:
                        f.write(z.read(member))
PY

mkdir -p "$build/fuzz-crashes"
status=0
for harness in "${harnesses[@]}"; do
  seed_dir=$seeds/zip
  [ "$harness" = pickle_reader ] && seed_dir=$seeds/pickle
  [ "$harness" = safetensors ] && seed_dir=$seeds/safetensors
  corpus="$build/fuzz-corpus/$harness"
  mkdir -p "$corpus"
  log="$build/fuzz-$harness.log"
  echo "== $harness: ${seconds}s"
  if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     "$build/fuzz/${harness}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
       -print_final_stats=1 -artifact_prefix="$build/fuzz-crashes/$harness-" "$corpus" "$seed_dir" >"$log" 2>&1; then
    grep -E "^stat::number_of_executed_units|^Done" "$log" || true
  else
    status=1
    echo "FAIL: $harness found a problem (see $log):"
    grep -E "ERROR|SUMMARY|runtime error|Test unit written" "$log" | head -20 || tail -20 "$log"
  fi
done
exit $status
