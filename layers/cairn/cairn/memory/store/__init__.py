"""The memory context's items in the table and S3: keys, item layout, conditional writes and transactions."""
