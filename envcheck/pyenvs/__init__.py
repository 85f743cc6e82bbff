"""Python environments read from their files: discovery (discover.py), layout (layout.py: kind, version, base,
site-packages) and installed distributions (metadata.py). Nothing here runs an interpreter."""
