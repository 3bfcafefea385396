#!/usr/bin/env bash
# The story ckptlint was made for: a DeepLabCut-style snapshot trained with DataParallel (every
# key starts with `module.`) checked against the plain model evaluation builds.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/examples
{ read -r snapshot; read -r reference; } < <(/usr/bin/python3 examples/make_dlc_snapshot.py "$out")

echo "== what the snapshot holds (ckptlint inspect, first lines)"
./build/ckptlint inspect --state-dict model "$snapshot" > "$out/inspect.txt"
head -n 12 "$out/inspect.txt"
echo "... (all of it: $out/inspect.txt)"
echo
echo "== freeze the model definition for CI (no Python needed afterwards)"
./build/ckptlint spec "$reference" -o "$out/model.spec.json" --force
echo "wrote $out/model.spec.json"
echo
echo "== lint the snapshot against it (exit 1: an error was found)"
status=0
./build/ckptlint check "$snapshot" --model "$out/model.spec.json" || status=$?
echo "(exit $status; JSON: --format json, SARIF: --format sarif, rule docs: ./build/ckptlint rules CKL103)"
echo
echo "== fix it: the edits first (--diff writes nothing), then in place, keeping a backup"
diff_text=$(./build/ckptlint check "$snapshot" --model "$out/model.spec.json" --diff || true)  # exit 1: still unfixed
printf '%s\n' "$diff_text" | sed -n '/would fix/,+3p'
echo "    ..."
rm -f "$snapshot.bak"  # a backup is never overwritten; this example starts afresh each run
./build/ckptlint check "$snapshot" --model "$out/model.spec.json" --apply
echo
echo "== what evaluation does: torch.load and a strict load_state_dict"
/usr/bin/python3 - "$snapshot" <<'PY'
import sys, torch
sys.path.insert(0, "examples")
from make_dlc_snapshot import PoseModel
snapshot = torch.load(sys.argv[1], map_location="cpu")
print(PoseModel().load_state_dict(snapshot["model"], strict=True))
PY
