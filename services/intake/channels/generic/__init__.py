"""The generic signed webhook any other channel posts a case to (`webhook.py`); registered
in `channel.py`."""
