"""Serve every deployment from one process: what `make up` starts on a single machine."""

from prefect import serve

from deployments.catalog import deployments

if __name__ == "__main__":
    serve(*deployments(), print_starting_message=False)
