"""The second half: turn the loaded site into pages, feeds and copied files."""
