"""PyInstaller entry point: the bundle's ``annotator`` executable is ``annotator.cli:main``.

Kept outside the package so PyInstaller analyses ``annotator`` as a normal
import (and the frozen ``annotator/__init__.py`` is the real one).
"""

import sys

from annotator.cli import main

if __name__ == "__main__":
    sys.exit(main())
