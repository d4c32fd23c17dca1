"""Emulators of every outside API the services call, for `make run` and the tests; never for
production.

One process (`python -m deploy.emulators`) serves each outside system under a path of its
own, speaking that system's documented protocol: point a service's base URL setting at
`http://<host>:<port>/<system>` and it talks to the emulator as it would to the real API.
Each system is one module here with one `router`; `app.py` puts them together. Every
system can be made to fail on demand (`faults.py`: an outage for N seconds, N answers of
a status with Retry-After, slow answers), and what the services asked for that moves money
or goods is kept in memory, readable under `/_emulator/`, so a test can count it.
"""
