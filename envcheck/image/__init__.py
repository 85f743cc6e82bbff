"""Reading a container image without a daemon: an OCI layout, a docker/podman save archive, a registry, a daemon.

An image is one more Root (DESIGN.md): layers are streamed once, only what the probes read is kept in a temporary
tree (ELF headers and dynamic sections, fatbin headers, dist-info headers, /etc, ...), and the ordinary probes run
on it. Modules: ref (what REF means), sources / registry / auth / daemon (where blobs come from), oci (manifests,
indexes, platforms), stream (decompress, hash, caps), capture (one layer -> the kept subset), keep (what the probes
read), elfkeep (an ELF's needed bytes while it streams), rootfs (layers applied in order, whiteouts, links, safely),
read (all of it), facts (-> an Environment with its image section), limits (the bounds and ImageError)."""
