#!/usr/bin/env bash
# Fetches the handwriting recogniser (PP-OCR ONNX models from the PyPI wheel `rapidocr`) and
# its runtime (libonnxruntime.so from the PyPI wheel `onnxruntime`) into models/, checking
# each wheel's sha256, then makes the 8-bit line detector from the float one (below).
# Idempotent: nothing is fetched or made when models/ already holds this set.
# Only PyPI is reached (pip download); what runs from the wheels is the runtime library and,
# once at setup, ONNX Runtime's quantization tool.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=models
stamp="$dest/.fetched"
# name==version  wheel file  sha256
runtime="onnxruntime==1.31.1 onnxruntime-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl 5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f"
wheels=(
  "rapidocr==3.10.0 rapidocr-3.10.0-py3-none-any.whl 2fc34e26cd0f48514804a94f8832283039c7334076bff60768b1fed9ad068050"
  "$runtime"
)
want=$(printf '%s\n' "${wheels[@]}" | sha256sum | cut -c1-16)
[ "$(uname -m)" = x86_64 ] || { echo "setup: the pinned onnxruntime wheel is for x86_64; OCR will fall back to Tesseract" >&2; exit 0; }
dl=$(mktemp -d); trap 'rm -rf "$dl"' EXIT
# fetch DIR WHEEL...: each "name==version file sha256" from PyPI into DIR, checked.
fetch() {
  local into=$1; shift
  for w in "$@"; do
    read -r spec file sum <<<"$w"
    [ -f "$into/$file" ] && continue
    echo "setup: fetching $spec from PyPI"
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
      --python-version 311 --platform manylinux_2_28_x86_64 -d "$into" "$spec"
    echo "$sum  $into/$file" | sha256sum --check --quiet || { echo "setup: $file: sha256 mismatch" >&2; exit 1; }
  done
}
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "setup: recogniser models present ($dest/)"
else
fetch "$dl" "${wheels[@]}"
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
ppocr-det-int8.onnx: the detector with 8-bit convolutions, made from ppocr-det.onnx by
  tools/quantize-detector.py (calibration inputs: tools/calibration/detector).
libonnxruntime.so: ONNX Runtime 1.31.1 (MIT), from the PyPI wheel onnxruntime 1.31.1.
Licences: licences/.
TXT
echo "$want" > "$dest.tmp/.fetched"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "setup: recogniser models in $dest/"
fi

# The 8-bit line detector (src/ocr/ppocr.rs, DETECTOR_INT8), made here from the float one
# by ONNX Runtime's own quantization tool: the wheels below are unpacked into a folder that
# is removed afterwards, and run with this machine's python3. When it cannot be made, the
# float detector reads (slower, the same lines) and setup goes on.
tools=(
  "numpy==2.4.6 numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl 89cd468399cfd2504718f0ba50e410dca55a170b61a02ad92bb18c8a65186e93"
  "onnx==1.23.2 onnx-1.23.2-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl c03ecf6b835d136108eeaeeafbd0026fc7b3cf98661409fbc6b63d5a29361348"
  "protobuf==7.36.2 protobuf-7.36.2-py3-none-any.whl bdb3a345d48db958e6ce1f18e508beb0cc981d64f24088427549c866cd039f1e"
  "ml_dtypes==0.7.0 ml_dtypes-0.7.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl d214c910cabaf80aa1ee37b0f25131e20d7a6474182e5293a68985b0421299da"
  "typing_extensions==4.16.0 typing_extensions-4.16.0-py3-none-any.whl 481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8"
  "packaging==26.4 packaging-26.4-py3-none-any.whl 81383611a09c1bc0b08b76e0fd5829d7c6824c65b27a6aee339da133f4233ea2"
)
qstamp="$dest/.quantized"
qwant=$({ printf '%s\n' "${wheels[@]}" "${tools[@]}"; cat tools/quantize-detector.py tools/calibration/detector/*.pgm.gz; } | sha256sum | cut -c1-16)
if [ -f "$dest/ppocr-det-int8.onnx" ] && [ -f "$qstamp" ] && [ "$(cat "$qstamp")" = "$qwant" ]; then
  echo "setup: 8-bit detector present ($dest/ppocr-det-int8.onnx)"; exit 0
fi
rm -f "$dest/ppocr-det-int8.onnx" "$qstamp"
py=$(python3 -c 'import sys; print("%d%d" % sys.version_info[:2])' 2>/dev/null || true)
if [ "$py" != 311 ]; then
  echo "setup: the 8-bit detector needs Python 3.11 (found ${py:-none}); the float detector will read" >&2; exit 0
fi
# The quantization tool is the Python half of the runtime's own wheel.
fetch "$dl" "$runtime" "${tools[@]}"
lib="$dl/lib" && mkdir -p "$lib"
for w in "$runtime" "${tools[@]}"; do read -r spec file sum <<<"$w"; python3 -m zipfile -e "$dl/$file" "$lib"; done
if PYTHONPATH="$lib" python3 -s tools/quantize-detector.py "$dest" tools/calibration/detector; then
  echo "$qwant" > "$qstamp"
else
  rm -f "$dest/ppocr-det-int8.onnx"
  echo "setup: the 8-bit detector could not be made; the float detector will read" >&2
fi
