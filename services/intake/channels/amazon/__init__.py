"""Amazon: SP-API notifications through a forwarder (`notifications.py`) and the returns
reports sellers upload (`reports.py`); registered in `channel.py`."""
