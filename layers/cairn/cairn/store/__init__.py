"""Adapters to AWS: DynamoDB (one table), S3 blobs, Step Functions. No HTTP here."""
