"""Adapters of the tasks context: the ``ModelRunner`` port (``runner``) and its implementations."""
