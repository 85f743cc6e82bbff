"""`envcheck apply`: run a ranked install path step by step (run.py), refusing what it must not do (plan.py), and
prove the result (prove.py)."""
