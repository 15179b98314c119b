"""The search index: pending documents, index segments in S3 and the manifest that lists them."""
