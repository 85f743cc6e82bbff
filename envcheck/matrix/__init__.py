"""The compatibility matrix: the versioned, cited YAML in the top-level matrix/ (shipped in the wheel as
envcheck/matrix/data), loaded with user overlays (load), validated (validate), compared and updated (update),
refreshed from release artifacts (refresh), its age seen from a scan (staleness), and the compatibility questions
answered from it (compat)."""
