"""Prefect deployments of the pipeline: the catalogue, and the process that serves them."""
