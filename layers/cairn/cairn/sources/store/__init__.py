"""The sources context's items in the table and the connections' secrets in Secrets Manager."""
