"""Shared by every context, imports nothing of Cairn: settings, clock, ids, errors (without HTTP status mapping),
wire limits, text analysis, observability.
"""
