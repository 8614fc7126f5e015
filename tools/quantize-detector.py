#!/usr/bin/env python3
"""Makes the 8-bit comment-box line detector from PP-OCR's float one (run by
tools/fetch-models.sh, in a throw-away virtualenv holding the pinned wheels).

quantize-detector.py MODELS_DIR CALIBRATION_DIR: reads MODELS_DIR/ppocr-det.onnx, writes
MODELS_DIR/ppocr-det-int8.onnx. Only the convolutions are quantized (8-bit weights per
channel, 8-bit activations); their ranges are the smallest and largest values seen on the
calibration inputs (the detector's own input images of synthetic comment boxes, as gzipped
PGM; see CALIBRATION_DIR/README)."""
import glob, gzip, logging, os, sys

import numpy as np
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat,
                                      QuantType, quantize_static)


def pgm(path):
    data = gzip.open(path).read()
    # P5, width, height, maxval, then one byte per pixel.
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    if fields[0] != b"P5" or fields[3] != b"255":
        sys.exit(f"quantize-detector: {path}: not an 8-bit PGM")
    w, h = int(fields[1]), int(fields[2])
    return np.frombuffer(data, np.uint8, w * h, pos).reshape(h, w)


class Inputs(CalibrationDataReader):
    """The detector's input as faxform makes it: grey to -1..1 in three equal planes."""

    def __init__(self, files):
        self.files = iter(files)

    def get_next(self):
        f = next(self.files, None)
        if f is None:
            return None
        x = pgm(f).astype(np.float32) / 127.5 - 1.0
        return {"x": np.ascontiguousarray(np.broadcast_to(x, (1, 3) + x.shape))}


# The tool suggests its optional graph pre-processing at every run; this model is
# quantized as it comes.
logging.getLogger().setLevel(logging.ERROR)
models, calibration = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(os.path.join(calibration, "*.pgm.gz")))
if not files:
    sys.exit(f"quantize-detector: no calibration inputs in {calibration}")
out = os.path.join(models, "ppocr-det-int8.onnx")
quantize_static(os.path.join(models, "ppocr-det.onnx"), out + ".tmp", Inputs(files),
                quant_format=QuantFormat.QOperator, activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8, op_types_to_quantize=["Conv"], per_channel=True,
                calibrate_method=CalibrationMethod.MinMax)
os.replace(out + ".tmp", out)
print(f"setup: 8-bit detector in {out} (calibrated on {len(files)} inputs)")
