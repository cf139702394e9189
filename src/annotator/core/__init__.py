"""The pure-Python core: documents, spans, relations, the scheme, offsets and commands.

Nothing in here imports Qt, sqlite3 or the formats; it is tested without a display.
"""
