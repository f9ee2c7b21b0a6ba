"""Drawing a map: kind styles, the deterministic layout, the interactive HTML page."""
