"""A decode step held in fixed buffers and replayed as one CUDA graph: what the static, compile and fused
engines share."""
from __future__ import annotations

import torch


class GraphedStep:
    """A decode step held in fixed buffers (``tok_in``, ``pos_buf``) and replayed as one CUDA graph: ``fn()`` runs
    the step, ``graphed`` says whether to capture it (CUDA) or run it eagerly (CPU)."""
    graph = None
    out = None

    @torch.no_grad()
    def capture(self, warm: int = 3):
        """Warm up (and compile) on a scratch position, then capture one step into a CUDA graph."""
        saved = self.pos_buf.clone()
        for _ in range(warm):
            self.pos_buf.fill_(self.max_len - 1)
            self.fn()
        if self.graphed:
            s = torch.cuda.Stream()
            s.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(s):
                self.pos_buf.fill_(self.max_len - 1)
                self.fn()
            torch.cuda.current_stream().wait_stream(s)
            self.graph = torch.cuda.CUDAGraph()
            self.pos_buf.fill_(self.max_len - 1)
            with torch.cuda.graph(self.graph):
                self.out = self.fn()
        self.pos_buf.copy_(saved)

    @torch.no_grad()
    def step(self, tok):
        self.tok_in.copy_(tok)
        if self.graph is not None:
            self.graph.replay()
            return self.out[0], self.out[1]
        out = self.fn()
        return out[0], out[1]
