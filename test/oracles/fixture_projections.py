"""PyTorch oracle for the Why tab's projections on an ONNX-imported test fixture of
scripts/onnx/export_fixtures.py, whose BatchNorms get the export's random statistics
(projection_oracle.py says what it computes).
The nets it is used on: `groups` (grouped convolutions, whose gradient is a grouped transposed
convolution; a dilated depthwise convolution; average pooling that excludes its pads, PyTorch's own
divisor; edge (replication) padding, whose gradient folds the border back onto the edge; a
ceil_mode pooling) and `shufflenet_v2_x0_5` (the chunk (channel split), the channel shuffle (view,
transpose, view), the concatenations, depthwise convolutions and BatchNorm) and `convnext`
(LayerNorms, whose gradient depends on the input's statistics; the channels-last Linear layers,
GELU, the layer scale, the residual additions).
The projections at the output of the modules after the unit: ShuffleNet's import pads its max
pooling with zeros (its input is a ReLU's, >= 0), so where a window holds only zeros the
deconvnet's switch can differ from PyTorch's (which never picks a pad) at the input, and only there.
Usage: python3 fixture_projections.py NET FIXTURE_DIR MODULE CHANNEL Y X [ALSO_AT_MODULE...]
-> JSON on stdout, channels last.
"""
from projection_oracle import fixture_script, main

fixtures = fixture_script("export_fixtures")
main(fixtures.NETS, prepare=fixtures.randomize_batchnorm)
