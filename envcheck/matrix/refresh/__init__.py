"""`envcheck matrix refresh`: candidate matrix rows derived from what the package index serves.

Only the package index is contacted (its simple API, PEP 503 HTML or PEP 691 JSON, and the files it lists). Each
fact is read from the smallest piece that carries it: a wheel's METADATA (the PEP 658 ``.metadata`` file when the
index serves one, else HTTP range requests on the wheel's ZIP directory and that one member), a stub sdist's
PKG-INFO, and for the CUDA a wheel was compiled with, the smallest extension modules of the wheel (their ELF
DT_NEEDED ``libcudart.so.N`` and nvcc's ``Cuda compilation tools, release X.Y`` string). See docs/matrix.md.
"""
