"""Search documents, index segments in S3, their compaction."""
