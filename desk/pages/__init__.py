"""The desk's page families, one module each; every module's ``router`` is mounted by ``create_app``."""
