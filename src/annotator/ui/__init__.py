"""The Qt layer: the only package that imports PySide6. It shows the core and turns gestures
into commands; it holds no annotation logic of its own."""
