"""PyTorch oracle for the Why tab's projections on a net of scripts/onnx/export_op_fixtures.py
(projection_oracle.py says what it computes).
Usage: python3 op_projections.py NET FIXTURE_DIR MODULE CHANNEL Y X -> JSON on stdout, channels last.
"""
from projection_oracle import fixture_script, main

main(fixture_script("export_op_fixtures").NETS)
