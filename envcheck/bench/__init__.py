"""`envcheck bench`: a MOSS-Speech stub (random weights, real shapes) timed per backend against the GPU's floor.

Only envcheck/bench/ imports torch, and only inside functions; spec.py and floor.py are plain Python.
"""
