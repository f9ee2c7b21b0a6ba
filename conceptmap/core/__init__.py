"""The map itself: vocabulary, state, the operation log, planning changes, quick entry.

Nothing in here knows about file formats, drawing, drafts or Jupyter; everything
else is built on it.
"""
