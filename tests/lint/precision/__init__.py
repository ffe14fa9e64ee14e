"""Lint precision measured on real upstream files: the files, their verdicts and the tools that judge them."""
