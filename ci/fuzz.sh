#!/usr/bin/env bash
# Runs each libFuzzer harness for SECONDS, seeded from the test fixtures.
#   ci/fuzz.sh SECONDS [HARNESS...]      (HARNESS: zip_reader, pickle_reader, torch_zip; default all)
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
[ ${#harnesses[@]} -gt 0 ] || harnesses=(zip_reader pickle_reader torch_zip)
build=${CKPTLINT_FUZZ_BUILD:-build-fuzz}
fixtures=${CKPTLINT_FIXTURES:-build/fixtures}
python=/usr/bin/python3

if [ ! -x "$build/fuzz/torch_zip_fuzz" ] || [ -n "${CKPTLINT_FUZZ_REBUILD:-}" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCKPTLINT_FUZZ=ON -DCKPTLINT_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j "${CKPTLINT_JOBS:-2}" --target zip_reader_fuzz pickle_reader_fuzz torch_zip_fuzz
fi
if [ ! -f "$fixtures/truth.json" ]; then
  fixtures="$build/fixtures"
  [ -f "$fixtures/truth.json" ] || "$python" tests/fixtures/make_fixtures.py "$fixtures" >/dev/null
fi

# Seeds: checkpoints under 1 MiB for the zip harnesses, every pickle record of them for the
# pickle harness.
seeds="$build/fuzz-seeds"
rm -rf "$seeds" && mkdir -p "$seeds/zip" "$seeds/pickle"
"$python" - "$fixtures" "$seeds" <<'PY'
import os, sys, zipfile
fixtures, seeds = sys.argv[1], sys.argv[2]
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
