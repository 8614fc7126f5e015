#!/usr/bin/env bash
# Fetches the handwriting recogniser (PP-OCR ONNX models from the PyPI wheel `rapidocr`) and
# its runtime (libonnxruntime.so from the PyPI wheel `onnxruntime`) into models/, checking
# each wheel's sha256. Idempotent: nothing is fetched when models/ already holds this set.
# Only PyPI is reached (pip download); nothing runs from the wheels but the shared library.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=models
stamp="$dest/.fetched"
# name==version  wheel file  sha256
wheels=(
  "rapidocr==3.10.0 rapidocr-3.10.0-py3-none-any.whl 2fc34e26cd0f48514804a94f8832283039c7334076bff60768b1fed9ad068050"
  "onnxruntime==1.31.1 onnxruntime-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl 5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f"
)
want=$(printf '%s\n' "${wheels[@]}" | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "setup: recogniser models present ($dest/)"; exit 0
fi
[ "$(uname -m)" = x86_64 ] || { echo "setup: the pinned onnxruntime wheel is for x86_64; OCR will fall back to Tesseract" >&2; exit 0; }
dl=$(mktemp -d); trap 'rm -rf "$dl"' EXIT
for w in "${wheels[@]}"; do
  read -r spec file sum <<<"$w"
  echo "setup: fetching $spec from PyPI"
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --python-version 311 --platform manylinux_2_28_x86_64 -d "$dl" "$spec"
  echo "$sum  $dl/$file" | sha256sum --check --quiet || { echo "setup: $file: sha256 mismatch" >&2; exit 1; }
done
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp/licences"
python3 - "$dl" "$dest.tmp" <<'PY'
import sys, zipfile, os, shutil
dl, out = sys.argv[1], sys.argv[2]
take = {
    "rapidocr/models/PP-OCRv6_rec_small.onnx": "ppocr-rec.onnx",
    "rapidocr/models/PP-OCRv6_det_small.onnx": "ppocr-det.onnx",
    "rapidocr-3.10.0.dist-info/licenses/LICENSE": "licences/rapidocr-LICENSE",
    "rapidocr-3.10.0.dist-info/licenses/MODEL_LICENSES.md": "licences/rapidocr-MODEL_LICENSES.md",
    "onnxruntime/capi/libonnxruntime.so.1.31.1": "libonnxruntime.so",
    "onnxruntime/LICENSE": "licences/onnxruntime-LICENSE",
    "onnxruntime/ThirdPartyNotices.txt": "licences/onnxruntime-ThirdPartyNotices.txt",
}
for f in sorted(os.listdir(dl)):
    with zipfile.ZipFile(os.path.join(dl, f)) as z:
        for name in z.namelist():
            if name in take:
                with z.open(name) as src, open(os.path.join(out, take.pop(name)), "wb") as dst:
                    shutil.copyfileobj(src, dst)
if take:
    sys.exit("setup: not found in the wheels: " + ", ".join(take))
PY
cat > "$dest.tmp/README" <<TXT
Fetched by tools/fetch-models.sh (make setup); not in git.
ppocr-rec.onnx, ppocr-det.onnx: PaddleOCR PP-OCRv6 small recogniser and detector (Apache-2.0),
  from the PyPI wheel rapidocr 3.10.0; the recogniser's character list is in its metadata.
libonnxruntime.so: ONNX Runtime 1.31.1 (MIT), from the PyPI wheel onnxruntime 1.31.1.
Licences: licences/.
TXT
echo "$want" > "$dest.tmp/.fetched"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "setup: recogniser models in $dest/"
