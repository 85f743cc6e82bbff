"""One module per command family; each function is a click command registered by name in envcheck.cli."""
