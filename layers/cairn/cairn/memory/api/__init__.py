"""The memory routes: routers, request and response models."""
