"""Reading a container image without a daemon: an OCI layout, a docker/podman save archive, a registry.

An image is one more Root (DESIGN.md): layers are streamed once, only what the probes read is kept in a temporary
tree (ELF headers and dynamic sections, fatbin headers, dist-info, /etc, ...), and the ordinary probes run on it.
Modules: ref (what REF means), oci (manifests, indexes, platforms), stream (decompress + verify + caps),
capture (one layer -> kept subset), rootfs (layers applied in order, whiteouts, links, safely), registry/auth
(the distribution API), sources (the four kinds of REF), read (all of it -> Environment), limits (the bounds)."""
