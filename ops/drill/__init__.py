"""The scale-out drill's parts; ``python -m ops.scale_out`` runs it (ops/scale_out.py says what it does).

The drill drives bench/loadtest.py's servers, sessions and wrk: that folder goes on the path here, before any
part imports it.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT / "bench") not in sys.path:
    sys.path.insert(0, str(ROOT / "bench"))
