"""Admin views of the pipeline (registered in pipeline/wagtail_hooks.py)."""
