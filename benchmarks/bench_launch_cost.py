"""The fixed cost of one kernel on this GPU: N small kernels captured in one CUDA graph and replayed, the median of
10 replays divided by N. What the bench's prediction by kernel class keeps as measured (a kernel's fixed cost does
not scale with another GPU's bandwidth or tensor rate). Needs a CUDA GPU.

    PYTHONPATH=. python3 benchmarks/bench_launch_cost.py
"""
import statistics

import torch


def graph_replay_us(body, n):
    """Microseconds per call of body(i), i = 0..n-1, captured in one CUDA graph: the median of 10 replays over n."""
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for i in range(3):
            body(i)
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for i in range(n):
            body(i)
    for _ in range(3):
        g.replay()
    ts = []
    for _ in range(10):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        g.replay()
        b.record()
        torch.cuda.synchronize()
        ts.append(a.elapsed_time(b) * 1e3 / n)
    return statistics.median(ts)


def per_kernel_us(fn, n=2000):
    return graph_replay_us(lambda i: fn(), n)


def main():
    dev = "cuda"
    x = torch.randn(368, 256, device=dev, dtype=torch.bfloat16)      # the flow decoder's activations: 2 x 184 rows
    w = torch.randn(256, 768, device=dev, dtype=torch.bfloat16)
    y = torch.empty(368, 768, device=dev, dtype=torch.bfloat16)
    one = torch.zeros(1, device=dev)
    big = torch.randn(4096, 4096, device=dev, dtype=torch.bfloat16)
    print(torch.cuda.get_device_name(), torch.__version__)
    print("us/kernel add_ 1 elem", per_kernel_us(lambda: one.add_(1.0)))
    print("us/kernel add_ 368x256", per_kernel_us(lambda: x.add_(1.0)))
    print("us/kernel mm 368x256x768", per_kernel_us(lambda: torch.mm(x, w, out=y)))
    print("us/kernel add_ 4096^2", per_kernel_us(lambda: big.add_(1.0), 200))


if __name__ == "__main__":
    main()
