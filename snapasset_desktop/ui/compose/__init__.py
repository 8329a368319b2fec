"""Composing requests: the prompt, the platforms, the options, batches."""
