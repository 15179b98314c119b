"""The memory context: projects, branches, milestones (GCC COMMIT), merge, the OTA log, recall views, metadata,
project deletion.
"""
