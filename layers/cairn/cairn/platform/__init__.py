"""The platform context: health probes now; jobs, workflow executions, the event outbox and webhooks later
(platform-api-conventions.md).
"""
