"""The serving path needs onnxruntime and tokenizers only: importing it must not pull in torch or transformers."""

from __future__ import annotations

import subprocess
import sys

SERVING_MODULES = ("serve.app", "serve.cli", "model.checker")


def test_serving_imports_neither_torch_nor_transformers():
    code = (
        "import sys\n"
        f"for name in {SERVING_MODULES!r}: __import__(name)\n"
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
