"""The application layer: one module per question, each taking frozen inputs and returning typed results."""
