"""Adapters to AWS: the single table, S3 blobs, boto3 clients, Secrets Manager, Bedrock. Every context's store uses
them; no rule of the product lives here.
"""
