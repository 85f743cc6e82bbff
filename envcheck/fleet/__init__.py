"""The fleet: a stream of Environment documents in, aggregations out. Engines (Kubernetes through NFD, Ray, Slurm,
ssh) only produce the documents; envcheck never schedules or ships anything itself.

    labels.build_labels(env, matrix, targets)      one node's NFD feature lines (envcheck labels)
    verdict.node_verdict(env, matrix, target)      ok | risky | blocked as the node stands, and what would change it
    stream.read_dir(DIR) / stream.read_lines(fh)   node documents, one at a time
    report.FleetReport(matrix, targets).add(doc)   groups by stack, drift, verdict counts (envcheck fleet report)
    ray_scan.scan_ray(address, out_dir, acquire=)  one scan per alive Ray node (envcheck fleet scan --ray)
"""
